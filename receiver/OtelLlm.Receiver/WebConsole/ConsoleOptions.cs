namespace OtelLlm.Receiver.WebConsole;

/// <summary>
/// Settings of the web console, bound from <c>OtelLlm:Console</c> (environment variables
/// <c>OtelLlm__Console__&lt;Name&gt;</c>). The receiver host serves the console's pages on a port of its own; the
/// pages read the API under <c>/api/v1</c> on that same port.
/// </summary>
public sealed class ConsoleOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "OtelLlm:Console";

    /// <summary>Whether the console is served. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The console's port (HTTP/1.1). Default 4320.</summary>
    public int Port { get; set; } = 4320;

    /// <summary>
    /// The address the console listens on. Default <c>127.0.0.1</c> (this machine only). On any other address the
    /// receiver needs API keys, and the console asks for a key with the <c>read</c> scope before it shows anything.
    /// </summary>
    public string ListenAddress { get; set; } = "127.0.0.1";
}
