using OtelLlm.Samples.Anthropic;

// Usage: dotnet run --project samples/OtelLlm.Samples.Anthropic -- [--endpoint http://localhost:4317] [--protocol grpc|http]
//        [--calls 6] [--fake true|false] [--model claude-sonnet-4-5-20250929] [--service-name name] [--capture-content true|false]
return await SampleRunner.RunAsync(SampleSettings.Parse(args), Console.Out, Console.Error);
