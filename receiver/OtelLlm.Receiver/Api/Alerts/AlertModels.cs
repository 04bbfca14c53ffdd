namespace OtelLlm.Receiver.Api.Alerts;

/// <summary>
/// An alert rule as <c>POST /api/v1/alerts/rules</c> and <c>PUT /api/v1/alerts/rules/{id}</c> take it. Documents the
/// body for the OpenAPI document; the endpoints read it field by field to report every error.
/// </summary>
/// <param name="Name">What the rule watches, for people: up to 200 characters. Required.</param>
/// <param name="Kind">
/// <c>error_rate</c> (percent of calls that failed), <c>latency_p95</c> (95th percentile duration in ms),
/// <c>token_spike</c> (tokens in the window ÷ tokens in the window before it) or <c>cost</c> (US dollars in the window). Required.
/// </param>
/// <param name="Threshold">The rule fires when the window's value is above it. Required; at least 0 (at most 100 for error_rate).</param>
/// <param name="WindowMinutes">The window, in whole minutes up to now, 1 to 1,440; default 5.</param>
/// <param name="Filters">Which calls count: by project, service, environment, provider, model (each exact; absent means all).</param>
/// <param name="CooldownMinutes">After it fires, the rule does not fire again for this long (0 to 10,080; default 15).</param>
/// <param name="Webhooks">
/// Where events are posted, up to 10: a URL (the payload is Slack's for <c>https://hooks.slack.com/…</c>, the generic JSON
/// otherwise) or <c>{"url": "…", "format": "json" | "slack"}</c> for a Slack-compatible receiver elsewhere.
/// </param>
/// <param name="Enabled">Whether the rule is evaluated; default true.</param>
public sealed record AlertRuleInput(
    string Name,
    string Kind,
    double Threshold,
    int? WindowMinutes,
    AlertFilters? Filters,
    int? CooldownMinutes,
    IReadOnlyList<AlertWebhook>? Webhooks,
    bool? Enabled);

/// <summary>Which calls a rule counts; each filter is an exact match, and an absent one matches everything.</summary>
/// <param name="Project">The project. A key's own project (naming another is refused); without keys, the receiver's default project when absent.</param>
/// <param name="Service">The service (<c>ServiceName</c>).</param>
/// <param name="Environment">The deployment environment.</param>
/// <param name="Provider">The provider (<c>gen_ai.provider.name</c>, normalized: <c>openai</c>, <c>anthropic</c>, …).</param>
/// <param name="Model">The requested model (<c>RequestModel</c>).</param>
public sealed record AlertFilters(string? Project, string? Service, string? Environment, string? Provider, string? Model);

/// <summary>A webhook of a rule.</summary>
/// <param name="Url">The http or https URL events are posted to. Answers to keys without the admin scope show only its origin.</param>
/// <param name="Format"><c>json</c> (the generic payload) or <c>slack</c> (Slack's incoming-webhook payload).</param>
public sealed record AlertWebhook(string Url, string Format);

/// <summary>A stored alert rule.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Kind"><c>error_rate</c>, <c>latency_p95</c>, <c>token_spike</c> or <c>cost</c>.</param>
/// <param name="Threshold">Fires above this value.</param>
/// <param name="Unit">The unit of the value and threshold: <c>%</c>, <c>ms</c>, <c>ratio</c> or <c>USD</c>.</param>
/// <param name="WindowMinutes">The window in minutes.</param>
/// <param name="Filters">Which calls count.</param>
/// <param name="CooldownMinutes">Minutes after firing during which it does not fire again.</param>
/// <param name="Webhooks">Where its events are posted.</param>
/// <param name="Enabled">Whether it is evaluated.</param>
/// <param name="State"><c>firing</c> while its last event is a firing one, else <c>ok</c>.</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
/// <param name="UpdatedAt">When it was last changed (UTC).</param>
/// <param name="Revision">Increases with every change.</param>
public sealed record AlertRule(
    string Id,
    string Name,
    string Kind,
    double Threshold,
    string Unit,
    int WindowMinutes,
    AlertFilters Filters,
    int CooldownMinutes,
    IReadOnlyList<AlertWebhook> Webhooks,
    bool Enabled,
    string State,
    string CreatedAt,
    string UpdatedAt,
    ulong Revision);

/// <summary>The answer to <c>GET /api/v1/alerts/rules</c>: every rule, by name.</summary>
/// <param name="Items">The rules.</param>
public sealed record AlertRuleList(IReadOnlyList<AlertRule> Items);

/// <summary>An alert event: a rule started firing or resolved.</summary>
/// <param name="Id">Its id.</param>
/// <param name="RuleId">The rule.</param>
/// <param name="RuleName">The rule's name when the event was recorded.</param>
/// <param name="Kind">The rule's kind.</param>
/// <param name="State"><c>firing</c> or <c>resolved</c>.</param>
/// <param name="IncidentId">The id of the firing event an incident started with; a resolved event carries its incident's.</param>
/// <param name="Timestamp">When it was recorded (UTC).</param>
/// <param name="Value">The window's value when it was recorded (absent when the window had no calls to compute it from).</param>
/// <param name="Threshold">The rule's threshold then.</param>
/// <param name="Unit"><c>%</c>, <c>ms</c>, <c>ratio</c> or <c>USD</c>.</param>
/// <param name="WindowStart">The start of the window (UTC).</param>
/// <param name="WindowEnd">The end of the window (UTC).</param>
/// <param name="Message">What happened, for people.</param>
/// <param name="Project">The project of the rule.</param>
/// <param name="AcknowledgedAt">When someone acknowledged it (UTC), if anyone did.</param>
/// <param name="AcknowledgedBy">Who acknowledged it.</param>
/// <param name="Deliveries">Each webhook: tries, whether it was delivered, the last status and error.</param>
public sealed record AlertEvent(
    string Id,
    string RuleId,
    string RuleName,
    string Kind,
    string State,
    string IncidentId,
    string Timestamp,
    double? Value,
    double Threshold,
    string Unit,
    string WindowStart,
    string WindowEnd,
    string Message,
    string Project,
    string? AcknowledgedAt,
    string? AcknowledgedBy,
    IReadOnlyList<AlertDelivery> Deliveries);

/// <summary>How posting an event to one webhook went.</summary>
/// <param name="Url">The webhook (only its origin for keys without the admin scope).</param>
/// <param name="Attempts">Tries so far; 0 while the first is pending.</param>
/// <param name="Delivered">Whether a try got a 2xx answer.</param>
/// <param name="LastStatus">The HTTP status of the last try; absent when it got no answer.</param>
/// <param name="LastError">Why the last try failed.</param>
/// <param name="LastAttemptAt">When the last try was made (UTC).</param>
public sealed record AlertDelivery(string Url, int Attempts, bool Delivered, int? LastStatus, string? LastError, string? LastAttemptAt);

/// <summary>The answer to <c>GET /api/v1/alerts/events</c>: newest first.</summary>
/// <param name="Items">The events.</param>
/// <param name="Truncated">Whether more events matched than <c>limit</c>.</param>
public sealed record AlertEventPage(IReadOnlyList<AlertEvent> Items, bool Truncated);

/// <summary>The optional body of <c>POST /api/v1/alerts/events/{id}/acknowledge</c>.</summary>
/// <param name="By">Who acknowledges, up to 256 characters; default <c>api</c>.</param>
public sealed record AcknowledgeInput(string? By);
