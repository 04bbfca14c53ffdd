namespace OtelLlm.Receiver;

/// <summary>Builds and runs the receiver application.</summary>
public static class ReceiverHost
{
    /// <summary>Runs the receiver until it is stopped; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var app = Build(args);
        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the application without starting it.</summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }
}
