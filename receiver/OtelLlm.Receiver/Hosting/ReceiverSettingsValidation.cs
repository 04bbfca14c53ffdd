using System.Net;
using System.Text.RegularExpressions;
using OtelLlm.Receiver.Admission;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.WebConsole;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline.Wal;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Hosting;

/// <summary>
/// Checks every receiver setting at start (<c>ValidateOnStart</c>) and reports every problem at once, each naming its
/// setting and value, so a bad port, URL, budget or key list stops the receiver with one clear message instead of a
/// stack trace from the first component that trips over it.
/// </summary>
internal sealed partial class ReceiverSettingsValidation(
    IOptions<ClickHouseOptions> clickHouse,
    IOptions<GenAiNormalizationOptions> normalization,
    IOptions<ConsoleOptions> console,
    WalOptions wal,
    AuthOptions auth,
    IHostEnvironment environment) : IValidateOptions<ReceiverOptions>
{
    private const string Receiver = ReceiverOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, ReceiverOptions options)
    {
        var errors = new List<string>();
        CheckReceiver(options, errors);
        CheckClickHouse(clickHouse.Value, errors);
        CheckNormalization(normalization.Value, errors);
        CheckWal(wal, errors);
        CheckAuth(options, errors);
        CheckConsole(console.Value, options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckReceiver(ReceiverOptions o, List<string> errors)
    {
        Port(errors, $"{Receiver}:GrpcPort", o.GrpcPort);
        Port(errors, $"{Receiver}:HttpPort", o.HttpPort);
        Check(errors, o.GrpcPort == 0 || o.GrpcPort != o.HttpPort, $"{Receiver}:HttpPort", o.HttpPort, "must differ from GrpcPort: gRPC needs a port of its own (HTTP/2 only)");
        Check(errors, o.ListenAddress is "*" or "" or "localhost" || IPAddress.TryParse(o.ListenAddress, out _), $"{Receiver}:ListenAddress", o.ListenAddress, "must be an IP address, 'localhost' or '*'");
        Check(errors, !string.IsNullOrWhiteSpace(o.DefaultProject), $"{Receiver}:DefaultProject", o.DefaultProject, "must not be empty");
        Positive(errors, $"{Receiver}:MaxRequestBytes", o.MaxRequestBytes);
        Positive(errors, $"{Receiver}:BatchMaxRows", o.BatchMaxRows);
        Positive(errors, $"{Receiver}:BatchMaxBytes", o.BatchMaxBytes);
        Positive(errors, $"{Receiver}:BatchMaxDelayMilliseconds", o.BatchMaxDelayMilliseconds);
        Positive(errors, $"{Receiver}:QueueMaxBytes", o.QueueMaxBytes);
        NotNegative(errors, $"{Receiver}:InFlightMaxBytes", o.InFlightMaxBytes);
        Positive(errors, $"{Receiver}:Http2MaxStreamsPerConnection", o.Http2MaxStreamsPerConnection);
        NotNegative(errors, $"{Receiver}:MaxConcurrentConnections", o.MaxConcurrentConnections);
        NotNegative(errors, $"{Receiver}:RetryAfterSeconds", o.RetryAfterSeconds);
        NotNegative(errors, $"{Receiver}:RetentionDays", o.RetentionDays);
        Positive(errors, $"{Receiver}:RetentionCheckIntervalSeconds", o.RetentionCheckIntervalSeconds);
        Check(errors, o.SelfTelemetryEndpoint.Length == 0 || IsHttpUrl(o.SelfTelemetryEndpoint), $"{Receiver}:SelfTelemetryEndpoint", o.SelfTelemetryEndpoint, "must be an absolute http:// or https:// URL, or empty");
        Positive(errors, $"{Receiver}:SelfTelemetryExportIntervalMilliseconds", o.SelfTelemetryExportIntervalMilliseconds);
    }

    private static void CheckClickHouse(ClickHouseOptions o, List<string> errors)
    {
        const string section = SettingsSections.ClickHouse;
        Check(errors, o.Url.IsAbsoluteUri && (o.Url.Scheme == Uri.UriSchemeHttp || o.Url.Scheme == Uri.UriSchemeHttps), $"{section}:Url", o.Url, "must be an absolute http:// or https:// URL of ClickHouse's HTTP interface");
        Check(errors, Identifier().IsMatch(o.Database), $"{section}:Database", o.Database, "must be a plain identifier (letters, digits, underscores, not starting with a digit)");
        Check(errors, o.Timeout > TimeSpan.Zero, $"{section}:Timeout", o.Timeout, "must be longer than zero");
        Check(errors, o.Cluster.Length == 0 || Identifier().IsMatch(o.Cluster), $"{section}:Cluster", o.Cluster, "must be a plain identifier, or empty for one server");
        Check(errors, EndpointsValid(o), $"{section}:Endpoints", o.Endpoints, "must be absolute http:// or https:// addresses separated by commas, or empty for Url alone");
    }

    private static bool EndpointsValid(ClickHouseOptions o)
    {
        try
        {
            return o.GetEndpoints().Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void CheckNormalization(GenAiNormalizationOptions o, List<string> errors)
    {
        const string section = GenAiNormalizationOptions.SectionName;
        NotNegative(errors, $"{section}:ContentJoinWindowSeconds", o.ContentJoinWindowSeconds);
        NotNegative(errors, $"{section}:ContentJoinMaxEntries", o.ContentJoinMaxEntries);
        Positive(errors, $"{section}:MaxContentChars", o.MaxContentChars);
        Check(errors, o.PriceTablePath.Length == 0 || File.Exists(Rooted(o.PriceTablePath)), $"{section}:PriceTablePath", o.PriceTablePath, "names no file");
        Check(errors, o.EnergyFactorsPath.Length == 0 || File.Exists(Rooted(o.EnergyFactorsPath)), $"{section}:EnergyFactorsPath", o.EnergyFactorsPath, "names no file");
        Check(errors, o.GridCarbonIntensity >= 0 && double.IsFinite(o.GridCarbonIntensity), $"{section}:GridCarbonIntensity", o.GridCarbonIntensity, "must be a number of grams per kWh, zero or more");
    }

    private static void CheckWal(WalOptions o, List<string> errors)
    {
        const string section = WalOptions.SectionName;
        Check(errors, !string.IsNullOrWhiteSpace(o.Directory), $"{section}:Directory", o.Directory, "must not be empty");
        Check(errors, !string.IsNullOrWhiteSpace(o.DeadLetterDirectory), $"{section}:DeadLetterDirectory", o.DeadLetterDirectory, "must not be empty");
        Check(errors, Enum.IsDefined(o.Durability), $"{section}:Durability", o.Durability, "must be Fsync or Os");
        Check(errors, o.GroupCommitMilliseconds is >= 0 and <= 1000, $"{section}:GroupCommitMilliseconds", o.GroupCommitMilliseconds, "must be between 0 and 1000");
        Positive(errors, $"{section}:MaxLogBytes", o.MaxLogBytes);
        Check(errors, o.SegmentBytes > 0 && o.SegmentBytes <= o.MaxLogBytes, $"{section}:SegmentBytes", o.SegmentBytes, "must be above zero and at most MaxLogBytes");
        Positive(errors, $"{section}:RetryInitialMilliseconds", o.RetryInitialMilliseconds);
        Check(errors, o.RetryMaxMilliseconds >= o.RetryInitialMilliseconds, $"{section}:RetryMaxMilliseconds", o.RetryMaxMilliseconds, "must be at least RetryInitialMilliseconds");
        NotNegative(errors, $"{section}:DedupWindowSize", o.DedupWindowSize);
        NotNegative(errors, $"{section}:DedupSeedLookbackMinutes", o.DedupSeedLookbackMinutes);
    }

    private void CheckAuth(ReceiverOptions receiver, List<string> errors)
    {
        const string section = AuthOptions.SectionName;
        Check(errors, string.IsNullOrWhiteSpace(auth.TlsCertificatePath) || File.Exists(Rooted(auth.TlsCertificatePath)), $"{section}:TlsCertificatePath", auth.TlsCertificatePath, "names no file");
        try
        {
            // The same check start-up would trip over later: key syntax, the keys file, and no keys on a public address.
            ApiKeySources.Validate(auth, receiver, environment.ContentRootPath);
        }
        catch (InvalidOperationException e)
        {
            errors.Add(e.Message);
        }
    }

    private void CheckConsole(ConsoleOptions o, ReceiverOptions receiver, List<string> errors)
    {
        const string section = ConsoleOptions.SectionName;
        if (!o.Enabled)
        {
            return;
        }

        Check(errors, o.Port is > 0 and <= 65535, $"{section}:Port", o.Port, "must be a port between 1 and 65535");
        Check(errors, o.Port <= 0 || (o.Port != receiver.GrpcPort && o.Port != receiver.HttpPort), $"{section}:Port", o.Port, "must differ from the receiver's GrpcPort and HttpPort");
        Check(errors, o.ListenAddress is "*" or "" or "localhost" || IPAddress.TryParse(o.ListenAddress, out _), $"{section}:ListenAddress", o.ListenAddress, "must be an IP address, 'localhost' or '*'");
        if (ConsoleHosting.IsLoopback(o.ListenAddress))
        {
            return;
        }

        // Off this machine the console shows data only to a key with the read scope, so there must be such a key.
        bool readable;
        try
        {
            readable = auth.Mode != AuthMode.None
                && ApiKeySources.Load(auth, environment.ContentRootPath).Exists(k => ApiScopeNames.Parse(k.Scopes).HasFlag(ApiScopes.Read));
        }
        catch (InvalidOperationException)
        {
            // The key settings themselves are reported by CheckAuth.
            return;
        }

        Check(errors, readable, $"{section}:ListenAddress", o.ListenAddress, "is not a loopback address, so the console needs an API key with the 'read' scope (OtelLlm__Receiver__Auth__Keys=key=project:read) and authentication on (Auth:Mode=ApiKey); or set it to 127.0.0.1");
    }

    private string Rooted(string path) => Path.IsPathRooted(path) ? path : Path.Combine(environment.ContentRootPath, path);

    private static bool IsHttpUrl(string value)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static void Port(List<string> errors, string setting, int value)
        => Check(errors, value is >= 0 and <= 65535, setting, value, "must be a port between 0 and 65535 (0 picks a free one)");

    private static void Positive(List<string> errors, string setting, long value) => Check(errors, value > 0, setting, value, "must be above zero");

    private static void NotNegative(List<string> errors, string setting, long value) => Check(errors, value >= 0, setting, value, "must not be negative");

    private static void Check(List<string> errors, bool valid, string setting, object? value, string rule)
    {
        if (!valid)
        {
            errors.Add($"{setting} = '{value}' {rule} (environment variable {setting.Replace(":", "__", StringComparison.Ordinal)})");
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
