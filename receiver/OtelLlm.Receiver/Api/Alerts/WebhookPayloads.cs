using System.Text.Json;
using System.Text.Json.Nodes;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Api.Alerts;

/// <summary>
/// The bodies posted to webhooks: the generic JSON document (<c>format: json</c>, documented in docs/api.md) and Slack's
/// incoming-webhook message (<c>format: slack</c>: <c>text</c> as the notification fallback, <c>blocks</c> for the message).
/// </summary>
internal static class WebhookPayloads
{
    /// <summary>The version of the generic payload; a change that is not an addition gets a new one.</summary>
    public const int Version = 1;

    public static byte[] For(string format, AlertEventRow e, AlertRuleRow rule)
        => format == WebhookFormats.Slack ? Slack(e, rule) : Json(e, rule);

    public static byte[] Json(AlertEventRow e, AlertRuleRow rule)
    {
        var body = new JsonObject
        {
            ["type"] = "otel_llm.alert",
            ["version"] = Version,
            ["state"] = e.State,
            ["eventId"] = e.EventId,
            ["incidentId"] = e.IncidentId,
            ["timestamp"] = Time(e.TimeUnixSeconds),
            ["project"] = e.Project,
            ["rule"] = new JsonObject
            {
                ["id"] = rule.RuleId,
                ["name"] = rule.Name,
                ["kind"] = rule.Kind,
                ["threshold"] = rule.Threshold,
                ["unit"] = AlertKinds.Unit(rule.Kind),
                ["windowMinutes"] = rule.WindowMinutes,
                ["cooldownMinutes"] = rule.CooldownMinutes,
                ["filters"] = new JsonObject
                {
                    ["project"] = rule.Project,
                    ["service"] = Optional(rule.FilterService),
                    ["environment"] = Optional(rule.FilterEnvironment),
                    ["provider"] = Optional(rule.FilterProvider),
                    ["model"] = Optional(rule.FilterModel),
                },
            },
            ["value"] = double.IsFinite(e.Value) ? e.Value : null,
            ["threshold"] = e.Threshold,
            ["unit"] = AlertKinds.Unit(e.Kind),
            ["windowStart"] = Time(e.WindowStartUnixSeconds),
            ["windowEnd"] = Time(e.WindowEndUnixSeconds),
            ["message"] = e.Message,
        };
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    public static byte[] Slack(AlertEventRow e, AlertRuleRow rule)
    {
        var firing = e.State == AlertStates.Firing;
        var title = $"{(firing ? ":rotating_light: [FIRING]" : ":white_check_mark: [RESOLVED]")} {rule.Name}";
        var scope = string.Join(", ", new[]
        {
            $"project {rule.Project}",
            Label("service", rule.FilterService),
            Label("environment", rule.FilterEnvironment),
            Label("provider", rule.FilterProvider),
            Label("model", rule.FilterModel),
        }.Where(s => s.Length > 0));
        var body = new JsonObject
        {
            // Shown in notifications and by clients without blocks; Slack treats & < > as markup, so they are escaped.
            ["text"] = Escape($"{title}: {e.Message}"),
            ["blocks"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "section",
                    ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Escape($"*{title}*\n{e.Message}") },
                },
                new JsonObject
                {
                    ["type"] = "context",
                    ["elements"] = new JsonArray
                    {
                        new JsonObject
                        {
                            ["type"] = "mrkdwn",
                            ["text"] = Escape($"{scope} · window {Time(e.WindowStartUnixSeconds)} to {Time(e.WindowEndUnixSeconds)} · event {e.EventId}"),
                        },
                    },
                },
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private static string Label(string name, string value) => value.Length == 0 ? string.Empty : $"{name} {value}";

    private static string? Optional(string value) => value.Length == 0 ? null : value;

    private static string Escape(string text)
    {
        var escaped = text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
        // A section's text may hold up to 3,000 characters.
        return escaped.Length <= 2900 ? escaped : escaped[..2900] + "…";
    }

    private static string Time(ulong unixSeconds) => ApiTime.Format(DateTimeOffset.FromUnixTimeSeconds((long)unixSeconds));
}
