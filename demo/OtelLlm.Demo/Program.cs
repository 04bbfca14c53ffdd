using OtelLlm.Demo.Cli;

return await DemoCommands.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected);
