using OtelLlm.Receiver.Admission;
using OtelLlm.Receiver.Api.Alerts;
using OtelLlm.Receiver.Api.Export;
using OtelLlm.Receiver.Api.Feedback;
using OtelLlm.Receiver.Api.Ingest;
using OtelLlm.Receiver.Api.Read;
using Scalar.AspNetCore;
using static Microsoft.AspNetCore.Http.HttpMethods;

namespace OtelLlm.Receiver.Api;

/// <summary>
/// The HTTP API under <c>/api/v1</c>: every route is mapped in <see cref="MapApiV1"/>, each needs a scope, and every
/// handler answers with an <see cref="ApiResult"/>. The OpenAPI document is served at <c>/openapi/v1.json</c> and a
/// browsable reference at <c>/api/reference</c>, both without anything fetched from the internet.
/// </summary>
internal static class ApiEndpoints
{
    public const string DocumentName = "v1";
    public const string ReferencePath = "/api/reference";

    /// <summary>Registers what the API needs: its options, the endpoint filter and the OpenAPI document.</summary>
    public static IServiceCollection AddApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ApiOptions>(configuration.GetSection(ApiOptions.SectionName));
        services.AddSingleton<ApiEndpointFilter>();
        services.AddSingleton<IngestEndpoints>();
        services.AddSingleton<StorageColumns>();

        // Alerts: settings checked here so a bad one stops the receiver with the others (exit code 2).
        var alerts = configuration.GetSection(AlertOptions.SectionName).Get<AlertOptions>() ?? new AlertOptions();
        if (alerts.Problems().ToList() is { Count: > 0 } problems)
        {
            throw new OptionsValidationException(nameof(AlertOptions), typeof(AlertOptions), problems);
        }

        services.Configure<AlertOptions>(configuration.GetSection(AlertOptions.SectionName));
        services.AddKeyedSingleton(AlertEvaluator.ClockKey, TimeProvider.System);
        services.AddSingleton<AlertStore>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<AlertEvaluator>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertEvaluator>());
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddOpenApi(DocumentName, o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                ApiDocument.Describe(document);
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(ApiDocument.DescribeOperationAsync);
            o.AddOperationTransformer(ReadDocument.DescribeFilters);
        });
        return services;
    }

    /// <summary>
    /// Maps every <c>/api/v1</c> route. To add one: write a handler returning <c>Task&lt;ApiResult&gt;</c> in the
    /// feature's folder, then add one <see cref="Route"/> here with its scope, name and summary, and the body types it
    /// answers with (<c>Produces&lt;T&gt;</c>) for the OpenAPI document.
    /// </summary>
    public static void MapApiV1(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1")
            .AddEndpointFilter<ApiEndpointFilter>()
            .ProducesErrors();

        api.Route(Get, "me", Me, ApiScopes.None, "GetCaller", "The project and scopes of the API key the request was sent with.").Produces<CallerInfo>();

        api.Route(Get, "overview", OverviewEndpoints.OverviewAsync, ApiScopes.Read, "GetOverview", "Totals of the calls in a range (default the last 24 hours): calls, errors, tokens, cost, energy, latency percentiles; the 10 costliest models and the error types.")
            .WithCallFilter().Produces<Overview>();
        api.Route(Get, "overview/breakdown", OverviewEndpoints.BreakdownAsync, ApiScopes.Read, "GetBreakdown", "Totals per model, provider, service, environment, project, error type or status (by=), highest cost first.")
            .WithCallFilter().Produces<Breakdown>();
        api.Route(Get, "overview/series", OverviewEndpoints.SeriesAsync, ApiScopes.Read, "GetSeries", "Calls, errors, tokens, cost and energy per time bucket (step= seconds, default about 120 buckets), optionally split by a dimension (groupBy=).")
            .WithCallFilter().Produces<SeriesSet>();
        api.Route(Get, "overview/latency", OverviewEndpoints.LatencyAsync, ApiScopes.Read, "GetLatencySeries", "Latency and time-to-first-token percentiles (p50, p95, p99) per time bucket, optionally split by a dimension.")
            .WithCallFilter().Produces<LatencySeriesSet>();
        api.Route(Get, "calls", CallEndpoints.ListAsync, ApiScopes.Read, "ListCalls", "A page of calls matching the filters, sorted by time, cost, duration or tokens; nextCursor continues it.")
            .WithCallFilter().Produces<CallPage>();
        api.Route(Get, "calls/{traceId}/{spanId}", CallEndpoints.GetAsync, ApiScopes.Read, "GetCall", "One call: every column, its prompt and answer, its attributes and its feedback.")
            .WithDescription("at= (the call's start, as the list gives it) makes the lookup cheaper; without it the trace's time span is used.").Produces<CallDetail>().ProducesNotFound();
        api.Route(Get, "traces/{traceId}", CallEndpoints.TraceAsync, ApiScopes.Read, "GetTrace", "One trace: every span with its events, the model calls among them and the trace's log records.")
            .Produces<TraceDetail>().ProducesNotFound();
        api.Route(Get, "sessions", ConversationEndpoints.SessionsAsync, ApiScopes.Read, "ListSessions", "Sessions (calls sharing a conversation id) with their totals, latest activity first.")
            .WithCallFilter().Produces<ConversationList>();
        api.Route(Get, "sessions/{sessionId}", ConversationEndpoints.SessionAsync, ApiScopes.Read, "GetSession", "One session's calls in order with the prompts and answers, and its totals (default range: the last 30 days).")
            .WithCallFilter().Produces<ConversationDetail>().ProducesNotFound();
        api.Route(Get, "users", ConversationEndpoints.UsersAsync, ApiScopes.Read, "ListUsers", "End users with their totals, highest cost first.").WithCallFilter().Produces<ConversationList>();
        api.Route(Get, "users/{userId}", ConversationEndpoints.UserAsync, ApiScopes.Read, "GetUser", "One user's latest calls in order and totals (default range: the last 30 days).").WithCallFilter()
            .Produces<ConversationDetail>().ProducesNotFound();

        api.Route(Post, "feedback", FeedbackEndpoints.PostAsync, ApiScopes.Feedback, "AddFeedback", "Add feedback (thumbs, scores, labels) on LLM calls: one object or an array.")
            .WithDescription("Items with an id already stored for the project are not stored again (200 when nothing was new, 201 otherwise). A request with any invalid item stores nothing.")
            .AcceptsJson<FeedbackInput[]>("One feedback object, or an array of them.").Produces<FeedbackAccepted>(StatusCodes.Status201Created).Produces<FeedbackAccepted>();
        api.Route(Get, "feedback", FeedbackEndpoints.ListAsync, ApiScopes.Read, "ListFeedback", "Feedback in a time range (default the last 7 days), newest first, each with the call it is about.")
            .Produces<FeedbackPage>();
        api.Route(Get, "feedback/summary", FeedbackEndpoints.SummaryAsync, ApiScopes.Read, "SummarizeFeedback", "Count, mean value and positive rate of feedback per name and model, workload or service.")
            .Produces<FeedbackSummary>();

        api.Route(Post, "ingest/llm", (HttpContext context, IngestEndpoints ingest) => ingest.LlmAsync(context), ApiScopes.Ingest, "IngestLlmCalls", "Store LLM calls from an application without OpenTelemetry: one call, or {\"items\":[…]}.")
            .WithDescription("Each call becomes an llm_calls row (SourceFormat ingest_api, priced from the price table when costUsd is absent) and a span in otel_traces. A batch with any invalid item is refused whole, listing every error. Limits: OtelLlm:Api:MaxIngestItems items and MaxIngestBytes bytes.")
            .AcceptsJson<IngestLlmBatch>("One call object, or {\"items\":[call, …]}.").Produces<IngestAccepted>();
        api.Route(Post, "ingest/logs", (HttpContext context, IngestEndpoints ingest) => ingest.LogsAsync(context), ApiScopes.Ingest, "IngestLogs", "Store application log records in otel_logs: one record, or {\"items\":[…]}.")
            .AcceptsJson<IngestLogBatch>("One log record, or {\"items\":[record, …]}.").Produces<IngestAccepted>();
        api.Route(Post, "ingest/metrics", (HttpContext context, IngestEndpoints ingest) => ingest.MetricsAsync(context), ApiScopes.Ingest, "IngestMetrics", "Store metric points (gauge, counter, histogram) in otel_metrics: one point, or {\"items\":[…]}.")
            .AcceptsJson<IngestMetricBatch>("One metric point, or {\"items\":[point, …]}.").Produces<IngestAccepted>();

        api.Route(Post, "alerts/rules", AlertEndpoints.CreateAsync, ApiScopes.Admin, "CreateAlertRule", "Create an alert rule: error_rate, latency_p95, token_spike or cost above a threshold over a window.")
            .WithDescription("The evaluator checks every enabled rule on schedule from the rollups and records firing and resolved events, posted to the rule's webhooks.")
            .AcceptsJson<AlertRuleInput>("The rule.").Produces<AlertRule>(StatusCodes.Status201Created);
        api.Route(Get, "alerts/rules", AlertEndpoints.ListAsync, ApiScopes.Read, "ListAlertRules", "Every alert rule of the project, by name, with its state (firing or ok).").Produces<AlertRuleList>();
        api.Route(Get, "alerts/rules/{id}", AlertEndpoints.GetAsync, ApiScopes.Read, "GetAlertRule", "One alert rule.").Produces<AlertRule>().ProducesNotFound();
        api.Route(Put, "alerts/rules/{id}", AlertEndpoints.ReplaceAsync, ApiScopes.Admin, "ReplaceAlertRule", "Replace an alert rule (every field, as for a new rule); its id, project and creation time stay.")
            .AcceptsJson<AlertRuleInput>("The rule.").Produces<AlertRule>().ProducesNotFound();
        api.Route(Delete, "alerts/rules/{id}", AlertEndpoints.DeleteAsync, ApiScopes.Admin, "DeleteAlertRule", "Delete an alert rule; an incident it has open is resolved.")
            .Produces(StatusCodes.Status204NoContent).ProducesNotFound();
        api.Route(Get, "alerts/events", AlertEndpoints.EventsAsync, ApiScopes.Read, "ListAlertEvents", "Alert events (firing, resolved) in a time range (default the last 7 days), newest first, with their webhook deliveries.")
            .Produces<AlertEventPage>();
        api.Route(Get, "alerts/events/{id}", AlertEndpoints.EventAsync, ApiScopes.Read, "GetAlertEvent", "One alert event.").Produces<AlertEvent>().ProducesNotFound();
        api.Route(Post, "alerts/events/{id}/acknowledge", AlertEndpoints.AcknowledgeAsync, ApiScopes.Admin, "AcknowledgeAlertEvent", "Acknowledge an alert event; acknowledging it again changes nothing.")
            .AcceptsJson<AcknowledgeInput>("Optional: who acknowledges.").Produces<AlertEvent>().ProducesNotFound();

        api.Route(Get, "export/calls", ExportEndpoints.CallsAsync, ApiScopes.Read, "ExportCalls", "Stream calls as CSV (RFC 4180, header first), a JSON array or JSON Lines, in constant memory however many there are.")
            .WithDescription("format=csv|json|jsonl (default csv); from/to (default the last 24 hours); filters project, service, model (requested or answering), provider, status=ok|error, userId, workload; content=true adds systemInstructions, inputMessages, outputMessages and toolDefinitions; limit caps the rows. The columns are listed in docs/api.md. Rows come in no particular order.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/json", "application/x-ndjson"]);
        api.Route(Get, "export/finetune", ExportEndpoints.FineTuneAsync, ApiScopes.Read, "ExportFineTuning", "Stream OpenAI chat fine-tuning JSONL ({\"messages\":[…],\"tools\":[…]} per line) from successful calls with captured content; identical examples once.")
            .WithDescription("from/to (default the last 7 days), workload, minFeedback (the call's feedback averages at least this), limit. 400 when no call in the range has content, explaining how to turn capture on.")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson");

        // Anything else under /api/v1 answers with the uniform error body rather than an empty 404.
        app.Map("/api/v1/{**rest}", (HttpContext context) => ApiResult.Failure(ApiFailure.NotFound, $"There is no API endpoint {context.Request.Method} {context.Request.Path}; see {ReferencePath}."))
            .ExcludeFromDescription();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference(ReferencePath, o => o
            .WithTitle("OtelLlm API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddDocument(DocumentName)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .AddPreferredSecuritySchemes(ApiDocument.BearerScheme));
    }

    /// <summary>
    /// Maps <paramref name="method"/> <paramref name="pattern"/> to <paramref name="handler"/>, needing
    /// <paramref name="scope"/>, with its operation id and summary in the OpenAPI document.
    /// </summary>
    private static RouteHandlerBuilder Route(this RouteGroupBuilder api, string method, string pattern, Delegate handler, ApiScopes scope, string name, string summary)
        => api.MapMethods(pattern, [method], handler).RequireScope(scope).WithName(name).WithSummary(summary);

    /// <summary>Documents the 404 answer (the uniform error body) of an endpoint that reads one thing by id.</summary>
    private static RouteHandlerBuilder ProducesNotFound(this RouteHandlerBuilder route)
        => route.Produces<ApiErrorBody>(StatusCodes.Status404NotFound, ApiJson.ContentType);

    private static ApiResult Me(HttpContext context)
    {
        var caller = context.ApiCaller();
        return ApiResult.Ok(new CallerInfo(caller.Project, ApiScopeNames.Format(caller.Scopes).Split(','), caller.Keyed));
    }

    private static RouteGroupBuilder ProducesErrors(this RouteGroupBuilder group)
    {
        foreach (var status in (int[])[StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status503ServiceUnavailable])
        {
            group.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ApiErrorBody), [ApiJson.ContentType]));
        }

        return group;
    }
}

/// <summary>Who the caller is, as <c>GET /api/v1/me</c> answers.</summary>
/// <param name="Project">The key's project: where its data goes and the only one it reads.</param>
/// <param name="Scopes">What the key may do: <c>ingest</c>, <c>feedback</c>, <c>read</c>, <c>admin</c>.</param>
/// <param name="Keyed">False when the receiver runs without keys (loopback or authentication off): every scope, every project readable.</param>
public sealed record CallerInfo(string Project, IReadOnlyList<string> Scopes, bool Keyed);
