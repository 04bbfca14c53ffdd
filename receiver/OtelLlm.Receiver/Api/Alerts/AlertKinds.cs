namespace OtelLlm.Receiver.Api.Alerts;

/// <summary>What a rule can watch, and the unit of each.</summary>
internal static class AlertKinds
{
    /// <summary>Percent of the window's calls whose status is Error.</summary>
    public const string ErrorRate = "error_rate";

    /// <summary>The 95th percentile of the window's call durations, in milliseconds.</summary>
    public const string LatencyP95 = "latency_p95";

    /// <summary>Tokens in the window divided by tokens in the window of the same length before it.</summary>
    public const string TokenSpike = "token_spike";

    /// <summary>US dollars spent in the window.</summary>
    public const string Cost = "cost";

    public static readonly string[] All = [ErrorRate, LatencyP95, TokenSpike, Cost];

    public static string Unit(string kind) => kind switch
    {
        ErrorRate => "%",
        LatencyP95 => "ms",
        TokenSpike => "ratio",
        _ => "USD",
    };

    /// <summary>What the value measures, for messages: <c>error rate 42.5%</c>.</summary>
    public static string Describe(string kind, double value) => kind switch
    {
        ErrorRate => $"error rate {Number(value)}%",
        LatencyP95 => $"p95 latency {Number(value)} ms",
        TokenSpike => $"tokens {Number(value)}× the previous window",
        _ => $"cost ${Number(value)}",
    };

    public static string Number(double value)
        => Math.Abs(value) >= 100 ? value.ToString("0", System.Globalization.CultureInfo.InvariantCulture)
            : value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The states an alert event records.</summary>
internal static class AlertStates
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";

    /// <summary>A rule's state when its last event is not a firing one (or it has none).</summary>
    public const string Ok = "ok";
}

/// <summary>The payloads a webhook can get.</summary>
internal static class WebhookFormats
{
    public const string Json = "json";
    public const string Slack = "slack";

    public static readonly string[] All = [Json, Slack];

    /// <summary>The payload for a URL given without a format: Slack's for a Slack incoming webhook, the generic JSON otherwise.</summary>
    public static string For(Uri url)
        => url.Scheme == Uri.UriSchemeHttps && url.Host.Equals("hooks.slack.com", StringComparison.OrdinalIgnoreCase) ? Slack : Json;

    /// <summary>The URL as keys without the admin scope see it: its origin only (webhook URLs carry secrets).</summary>
    public static string Masked(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var u) ? $"{u.GetLeftPart(UriPartial.Authority)}/…" : "…";
}
