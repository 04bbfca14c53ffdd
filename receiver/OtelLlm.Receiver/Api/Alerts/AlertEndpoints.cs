using System.Text.Json;
using OtelLlm.Receiver.Admission;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Api.Alerts;

/// <summary>
/// <c>/api/v1/alerts</c>: rules (create, replace and delete with scope <c>admin</c>; read with <c>read</c>) and the
/// events the evaluator records (list with <c>read</c>, acknowledge with <c>admin</c>).
/// </summary>
internal static class AlertEndpoints
{
    private const int MaxWebhooks = 10;
    private const int MaxFilterLength = 256;

    public static async Task<ApiResult> CreateAsync(HttpContext context, AlertStore store, IOptions<ApiOptions> api, IOptions<AlertOptions> alerts)
    {
        var caller = context.ApiCaller();
        var rule = await ReadRuleAsync(context, caller, api.Value);
        var existing = await store.RulesAsync(rule.Project, ruleId: null, includeDeleted: false, context.RequestAborted);
        if (existing.Count >= alerts.Value.MaxRulesPerProject)
        {
            throw new ApiException(ApiFailure.Invalid, $"Project '{rule.Project}' has {existing.Count} alert rules, the most allowed (OtelLlm:Api:Alerts:MaxRulesPerProject); delete one first.");
        }

        var now = (ulong)store.Time.GetUtcNow().ToUnixTimeSeconds();
        rule.RuleId = store.NewId();
        rule.Revision = store.NextRevision();
        rule.CreatedAtUnixSeconds = now;
        rule.UpdatedAtUnixSeconds = now;
        await store.WriteRuleAsync(rule, context.RequestAborted);
        return ApiResult.Created(ToAnswer(rule, status: null, admin: true));
    }

    public static async Task<ApiResult> ListAsync(HttpContext context, AlertStore store, string? project)
    {
        var caller = context.ApiCaller();
        var readable = caller.ReadableProject(project);
        var rules = await store.RulesAsync(readable, ruleId: null, includeDeleted: false, context.RequestAborted);
        var statuses = await store.StatusesAsync(readable, context.RequestAborted);
        var admin = caller.Has(ApiScopes.Admin);
        return ApiResult.Ok(new AlertRuleList([.. rules.Select(r => ToAnswer(r, statuses.GetValueOrDefault((r.Project, r.RuleId)), admin))]));
    }

    public static async Task<ApiResult> GetAsync(HttpContext context, AlertStore store, string id)
    {
        var caller = context.ApiCaller();
        var rule = await FindAsync(store, caller, id, context.RequestAborted);
        var statuses = await store.StatusesAsync(rule.Project, context.RequestAborted);
        return ApiResult.Ok(ToAnswer(rule, statuses.GetValueOrDefault((rule.Project, rule.RuleId)), caller.Has(ApiScopes.Admin)));
    }

    /// <summary>Replaces a rule with the body (every field as for a new rule); its id, project and creation time stay.</summary>
    public static async Task<ApiResult> ReplaceAsync(HttpContext context, AlertStore store, IOptions<ApiOptions> api, string id)
    {
        var caller = context.ApiCaller();
        var rule = await ReadRuleAsync(context, caller, api.Value, keepProject: true);
        var existing = await FindAsync(store, caller, id, context.RequestAborted);
        if (rule.Project.Length > 0 && rule.Project != existing.Project)
        {
            throw new ApiException(ApiFailure.Invalid, $"The rule belongs to project '{existing.Project}'; a rule's project cannot change. Create a new rule for '{rule.Project}'.", "filters.project", 0);
        }

        rule.Project = existing.Project;
        rule.RuleId = existing.RuleId;
        rule.Revision = store.NextRevision(existing.Revision);
        rule.CreatedAtUnixSeconds = existing.CreatedAtUnixSeconds;
        rule.UpdatedAtUnixSeconds = (ulong)store.Time.GetUtcNow().ToUnixTimeSeconds();
        await store.WriteRuleAsync(rule, context.RequestAborted);
        var statuses = await store.StatusesAsync(rule.Project, context.RequestAborted);
        return ApiResult.Ok(ToAnswer(rule, statuses.GetValueOrDefault((rule.Project, rule.RuleId)), admin: true));
    }

    /// <summary>Deletes a rule by writing a tombstone revision; an incident it has open is resolved by the evaluator.</summary>
    public static async Task<ApiResult> DeleteAsync(HttpContext context, AlertStore store, string id)
    {
        var caller = context.ApiCaller();
        var existing = await FindAsync(store, caller, id, context.RequestAborted);
        existing.Deleted = true;
        existing.Revision = store.NextRevision(existing.Revision);
        existing.UpdatedAtUnixSeconds = (ulong)store.Time.GetUtcNow().ToUnixTimeSeconds();
        await store.WriteRuleAsync(existing, context.RequestAborted);
        return ApiResult.NoContent();
    }

    public static async Task<ApiResult> EventsAsync(
        HttpContext context, AlertStore store, string? from, string? to, string? ruleId, string? state, string? acknowledged, string? project, string? limit)
    {
        var query = new ApiQuery(new ApiErrors());
        var range = query.Range(from, to, TimeSpan.FromDays(7));
        var states = query.OneOf("state", state, string.Empty, AlertStates.Firing, AlertStates.Resolved);
        bool? acked = string.IsNullOrEmpty(acknowledged) ? null : query.Bool("acknowledged", acknowledged, false);
        var max = query.Int("limit", limit, 100, 1, 1000);
        query.Errors.ThrowIfAny();
        var caller = context.ApiCaller();
        var filter = new AlertEventFilter(caller.ReadableProject(project), range.From, range.To, ruleId, states, acked);
        var (items, truncated) = await store.EventsAsync(filter, max, context.RequestAborted);
        var admin = caller.Has(ApiScopes.Admin);
        return ApiResult.Ok(new AlertEventPage([.. items.Select(e => ToAnswer(e, admin))], truncated));
    }

    public static async Task<ApiResult> EventAsync(HttpContext context, AlertStore store, string id)
    {
        var caller = context.ApiCaller();
        var e = await store.EventAsync(caller.ReadableProject(null), id, context.RequestAborted)
            ?? throw NoEvent(id);
        return ApiResult.Ok(ToAnswer(e, caller.Has(ApiScopes.Admin)));
    }

    /// <summary>Marks an event acknowledged (once: acknowledging it again changes nothing). The body is optional.</summary>
    public static async Task<ApiResult> AcknowledgeAsync(HttpContext context, AlertStore store, IOptions<ApiOptions> api, string id)
    {
        var caller = context.ApiCaller();
        string? by = null;
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            using var body = await ApiBody.ReadAsync(context, api.Value.MaxBodyBytes);
            var errors = new ApiErrors();
            var item = new JsonItem(body.Root, 0, errors);
            by = item.String("by", maxLength: 256);
            item.RejectUnknown();
            errors.ThrowIfAny();
        }

        var now = (ulong)store.Time.GetUtcNow().ToUnixTimeSeconds();
        var e = await store.ChangeEventAsync(caller.ReadableProject(null), id, changed =>
        {
            if (changed.AcknowledgedAtUnixSeconds is not null)
            {
                return false;
            }

            changed.AcknowledgedAtUnixSeconds = now;
            changed.AcknowledgedBy = string.IsNullOrWhiteSpace(by) ? "api" : by;
            return true;
        }, context.RequestAborted) ?? throw NoEvent(id);
        return ApiResult.Ok(ToAnswer(e, admin: true));
    }

    private static async Task<AlertRuleRow> FindAsync(AlertStore store, ApiCaller caller, string id, CancellationToken ct)
        => await store.RuleAsync(caller.ReadableProject(null), id, ct)
            ?? throw new ApiException(ApiFailure.NotFound, $"There is no alert rule '{id}'{(caller.Keyed ? $" in project '{caller.Project}'" : string.Empty)}.", "id");

    private static ApiException NoEvent(string id) => new(ApiFailure.NotFound, $"There is no alert event '{id}' this key can see.", "id");

    /// <summary>Reads and checks a rule body; every problem is reported at once (400) and nothing is stored.</summary>
    private static async Task<AlertRuleRow> ReadRuleAsync(HttpContext context, ApiCaller caller, ApiOptions options, bool keepProject = false)
    {
        using var body = await ApiBody.ReadAsync(context, options.MaxBodyBytes);
        var errors = new ApiErrors();
        var item = new JsonItem(body.Root, 0, errors);
        var name = item.String("name", required: true, maxLength: 200);
        var kind = item.OneOf("kind", AlertKinds.All, required: true);
        var threshold = item.Number("threshold", min: 0, required: true);
        if (kind == AlertKinds.ErrorRate && threshold > 100)
        {
            item.Error("threshold", $"An error rate is a percentage: {AlertKinds.Number(threshold.Value)} is above 100.");
        }

        var window = item.Integer("windowMinutes", 1, 1440) ?? 5;
        var cooldown = item.Integer("cooldownMinutes", 0, 10_080) ?? 15;
        var enabled = item.Boolean("enabled") ?? true;
        string? project = null, service = null, environment = null, provider = null, model = null;
        if (item.Object("filters") is { } filters)
        {
            project = filters.String("project", maxLength: MaxFilterLength);
            service = filters.String("service", maxLength: MaxFilterLength);
            environment = filters.String("environment", maxLength: MaxFilterLength);
            provider = filters.String("provider", maxLength: MaxFilterLength);
            model = filters.String("model", maxLength: MaxFilterLength);
            filters.RejectUnknown();
        }

        var webhooks = Webhooks(item, errors);
        item.RejectUnknown();
        errors.ThrowIfAny();

        if (!string.IsNullOrEmpty(project) && caller.Keyed && project != caller.Project)
        {
            throw new ApiException(ApiFailure.Forbidden, $"This API key belongs to project '{caller.Project}' and cannot manage alerts of project '{project}'.", "filters.project", 0);
        }

        return new AlertRuleRow
        {
            Project = !string.IsNullOrEmpty(project) ? project : keepProject ? string.Empty : caller.Project,
            Name = name!,
            Kind = kind!,
            Threshold = threshold!.Value,
            WindowMinutes = (uint)window,
            CooldownMinutes = (uint)cooldown,
            FilterService = service ?? string.Empty,
            FilterEnvironment = environment ?? string.Empty,
            FilterProvider = string.IsNullOrEmpty(provider) ? string.Empty : ProviderNames.Normalize(provider) ?? provider,
            FilterModel = model ?? string.Empty,
            Webhooks = [.. webhooks.Select(w => w.Url)],
            WebhookFormats = [.. webhooks.Select(w => w.Format)],
            Enabled = enabled,
        };
    }

    // Each webhook is a URL, or {"url": …, "format": "json" | "slack"}.
    private static List<AlertWebhook> Webhooks(JsonItem item, ApiErrors errors)
    {
        var list = new List<AlertWebhook>();
        if (item.Value("webhooks") is not { } value)
        {
            return list;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            item.Error("webhooks", $"Expected an array of URLs, found {JsonItem.Describe(value)}.");
            return list;
        }

        if (value.GetArrayLength() > MaxWebhooks)
        {
            item.Error("webhooks", $"Has {value.GetArrayLength()} webhooks; a rule may have at most {MaxWebhooks}.");
            return list;
        }

        var i = 0;
        foreach (var hook in value.EnumerateArray())
        {
            var path = $"webhooks[{i++}]";
            string? url;
            string? format = null;
            if (hook.ValueKind == JsonValueKind.Object)
            {
                var entry = new JsonItem(hook, item.Index, errors, item.Path(path));
                url = entry.String("url", required: true, maxLength: 2048);
                format = entry.OneOf("format", WebhookFormats.All);
                entry.RejectUnknown();
                path += ".url";
            }
            else if (hook.ValueKind == JsonValueKind.String)
            {
                url = hook.GetString();
            }
            else
            {
                item.Error(path, $"Expected a URL or {{\"url\", \"format\"}}, found {JsonItem.Describe(hook)}.");
                continue;
            }

            if (url is null)
            {
                continue;
            }

            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || url.Length > 2048)
            {
                item.Error(path, $"'{(url.Length > 60 ? url[..60] + "…" : url)}' is not an absolute http:// or https:// URL (up to 2,048 characters).");
                continue;
            }

            list.Add(new AlertWebhook(uri.AbsoluteUri, format ?? WebhookFormats.For(uri)));
        }

        return list;
    }

    private static AlertRule ToAnswer(AlertRuleRow r, AlertRuleStatus? status, bool admin)
        => new(
            r.RuleId,
            r.Name,
            r.Kind,
            r.Threshold,
            AlertKinds.Unit(r.Kind),
            (int)r.WindowMinutes,
            new AlertFilters(r.Project, Optional(r.FilterService), Optional(r.FilterEnvironment), Optional(r.FilterProvider), Optional(r.FilterModel)),
            (int)r.CooldownMinutes,
            [.. r.Webhooks.Select((url, i) => new AlertWebhook(
                admin ? url : WebhookFormats.Masked(url),
                i < r.WebhookFormats.Count && r.WebhookFormats[i].Length > 0 ? r.WebhookFormats[i] : WebhookFormats.For(new Uri(url))))],
            r.Enabled,
            status?.State == AlertStates.Firing ? AlertStates.Firing : AlertStates.Ok,
            Time(r.CreatedAtUnixSeconds),
            Time(r.UpdatedAtUnixSeconds),
            r.Revision);

    private static AlertEvent ToAnswer(AlertEventRow e, bool admin)
        => new(
            e.EventId,
            e.RuleId,
            e.RuleName,
            e.Kind,
            e.State,
            e.IncidentId,
            Time(e.TimeUnixSeconds),
            double.IsFinite(e.Value) ? e.Value : null,
            e.Threshold,
            AlertKinds.Unit(e.Kind),
            Time(e.WindowStartUnixSeconds),
            Time(e.WindowEndUnixSeconds),
            e.Message,
            e.Project,
            e.AcknowledgedAtUnixSeconds is { } at ? Time(at) : null,
            e.AcknowledgedAtUnixSeconds is null ? null : e.AcknowledgedBy,
            [.. e.Deliveries.Select(d => new AlertDelivery(
                admin ? d.Url : WebhookFormats.Masked(d.Url),
                (int)d.Attempts,
                d.Delivered,
                d.LastStatus == 0 ? null : (int)d.LastStatus,
                Optional(d.LastError),
                d.LastAttemptAtUnixSeconds == 0 ? null : Time(d.LastAttemptAtUnixSeconds)))]);

    private static string? Optional(string value) => value.Length == 0 ? null : value;

    private static string Time(ulong unixSeconds) => ApiTime.Format(DateTimeOffset.FromUnixTimeSeconds((long)unixSeconds));
}
