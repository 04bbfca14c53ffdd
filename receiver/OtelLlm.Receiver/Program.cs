using OtelLlm.Receiver;

return await ReceiverHost.RunAsync(args);
