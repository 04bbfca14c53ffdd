using System.Globalization;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Dashboards.Tests;

/// <summary>
/// Realistic, deterministic traffic written straight into a test database: several projects, services,
/// environments, providers, models, users and sessions; streaming, tool calls, errors, captured content;
/// one trace per call (an HTTP server span with the model-call span under it); and later revisions of some
/// calls carrying content, which must not be counted twice.
/// </summary>
internal static class DemoData
{
    /// <summary>The first second of the generated traffic.</summary>
    public static readonly DateTimeOffset Start = new(2025, 11, 20, 9, 0, 0, TimeSpan.Zero);

    /// <summary>How long the generated traffic lasts.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromHours(3);

    public static readonly (string Provider, string Model, double InputPrice, double OutputPrice)[] Models =
    [
        ("anthropic", "claude-sonnet-4-5", 3e-6, 15e-6),
        ("anthropic", "claude-haiku-4-5", 1e-6, 5e-6),
        ("openai", "gpt-4o", 2.5e-6, 10e-6),
        ("openai", "gpt-4o-mini", 0.15e-6, 0.6e-6),
        ("gcp.gemini", "gemini-2.5-flash", 0.3e-6, 2.5e-6),
    ];

    // Wh per 1,000 input and output tokens of the models' families: medium for the mini, haiku and flash tiers, else large.
    private static double EnergyIn(string model) => model.Contains("mini", StringComparison.Ordinal) || model.Contains("haiku", StringComparison.Ordinal) || model.Contains("flash", StringComparison.Ordinal) ? 0.0442 : 0.221;

    private static double EnergyOut(string model) => model.Contains("mini", StringComparison.Ordinal) || model.Contains("haiku", StringComparison.Ordinal) || model.Contains("flash", StringComparison.Ordinal) ? 0.12 : 0.602;

    public static readonly string[] Workloads = ["answer", "triage", "summarize"];

    /// <summary>
    /// Thumbs on every fourth call, naming its span (most), only its response id, or neither (the trace's only call); a
    /// score on every tenth; every sixteenth thumbs sent twice (the same id counts once).
    /// </summary>
    private static void WriteFeedback(RowBinaryWriter w, LlmCallRow call, int i)
    {
        var at = call.StartTimeUnixNano / 1_000_000_000UL + 60;
        if (i % 4 == 0)
        {
            var thumbs = new FeedbackRow
            {
                Project = call.Project, TimeUnixSeconds = at, FeedbackId = "fb-" + i.ToString(CultureInfo.InvariantCulture), TraceId = call.TraceId,
                SpanId = i % 12 == 0 || i % 20 == 0 ? string.Empty : call.SpanId, ResponseId = i % 12 == 0 ? call.ResponseId : string.Empty,
                Name = "thumbs", Value = i % 8 == 0 ? 1 : 0, Source = "user", UserId = call.UserId,
            };
            thumbs.Write(w);
            if (i % 16 == 0)
            {
                thumbs.Write(w);
            }
        }

        if (i % 10 == 0)
        {
            new FeedbackRow
            {
                Project = call.Project, TimeUnixSeconds = at + 5, FeedbackId = "score-" + i.ToString(CultureInfo.InvariantCulture), TraceId = call.TraceId,
                SpanId = call.SpanId, Name = "helpfulness", Value = (i % 7) / 6.0, Source = "eval",
            }.Write(w);
        }
    }

    public static readonly string[] Services = ["support-bot", "search-api", "summarizer"];

    public static readonly string[] Projects = ["default", "research"];

    public static readonly string[] Environments = ["production", "staging"];

    public static readonly string[] ErrorTypes = ["rate_limit_error", "timeout", "overloaded_error", "invalid_request_error"];

    public static readonly string[] FinishReasons = ["stop", "length", "tool_calls", "end_turn"];

    public static async Task<int> WriteAsync(ClickHouseClient client, int calls, int seed = 42, DateTimeOffset? start = null, TimeSpan? length = null, bool feedback = true)
    {
        var first = start ?? Start;
        var duration = length ?? Span;
        var random = new Random(seed);
        using var callRows = new RowBinaryWriter();
        using var revisions = new RowBinaryWriter();
        using var spans = new RowBinaryWriter();
        using var feedbackRows = new RowBinaryWriter();
        var sessions = new Dictionary<int, string>();
        for (var i = 0; i < calls; i++)
        {
            var (provider, model, inPrice, outPrice) = Models[random.Next(Models.Length)];
            var service = Services[random.Next(Services.Length)];
            var user = random.Next(10) == 0 ? string.Empty : "user-" + random.Next(1, 13).ToString("D2", CultureInfo.InvariantCulture);
            var sessionKey = random.Next(40);
            if (!sessions.TryGetValue(sessionKey, out var session))
            {
                session = "session-" + sessionKey.ToString("D3", CultureInfo.InvariantCulture);
                sessions[sessionKey] = session;
            }

            var failed = random.Next(12) == 0;
            var streaming = random.Next(3) == 0;
            var startNs = (ulong)(first.ToUnixTimeMilliseconds() + (long)(random.NextDouble() * duration.TotalMilliseconds)) * 1_000_000UL
                + (ulong)random.Next(1_000_000);
            var durationNs = (ulong)(200 + random.Next(8000)) * 1_000_000UL;
            var input = (ulong)random.Next(50, 4000);
            var output = failed ? 0UL : (ulong)random.Next(10, 1500);
            var cacheRead = random.Next(4) == 0 ? input / 2 : 0;
            var traceId = Hex(random, 16);
            var serverSpanId = Hex(random, 8);
            var callSpanId = Hex(random, 8);
            var call = new LlmCallRow
            {
                Project = Projects[random.Next(4) == 0 ? 1 : 0],
                StartTimeUnixNano = startNs,
                Duration = durationNs,
                TraceId = traceId,
                SpanId = callSpanId,
                ParentSpanId = serverSpanId,
                ServiceName = service,
                Environment = Environments[random.Next(5) == 0 ? 1 : 0],
                Operation = "chat",
                Provider = provider,
                RequestModel = model,
                ResponseModel = model + "-20250101",
                InputTokens = input,
                OutputTokens = output,
                CacheReadTokens = cacheRead,
                ReasoningTokens = model.StartsWith("claude-sonnet", StringComparison.Ordinal) ? output / 4 : 0,
                TotalTokens = input + output,
                CostUsd = random.Next(30) == 0 ? null : Math.Round((input * inPrice) + (output * outPrice), 9),
                CostSource = "price-table",
                // Energy as the factors give it (docs/energy.md); every 17th call's model has none.
                EnergyWh = i % 17 == 0 ? null : Math.Round(((input - cacheRead) * EnergyIn(model)) + (cacheRead * EnergyIn(model) / 10) + (output * EnergyOut(model)), 9) / 1000,
                EnergySource = i % 17 == 0 ? string.Empty : "energy_factors",
                Streaming = streaming,
                TimeToFirstTokenMs = streaming && !failed ? 50 + random.Next(1500) : null,
                Temperature = 0.7,
                Workload = Workloads[i % Workloads.Length],
                MaxTokens = 2048,
                ResponseId = failed ? string.Empty : "resp_" + Hex(random, 6),
                ConversationId = session,
                UserId = user,
                StatusCode = failed ? "Error" : "Unset",
                ErrorType = failed ? ErrorTypes[random.Next(ErrorTypes.Length)] : string.Empty,
                StatusMessage = failed ? "upstream said: it's not available (429)" : string.Empty,
                SourceFormat = "otel-genai-1.37",
                InputMessages = "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Question " + i.ToString(CultureInfo.InvariantCulture) + "\"}]}]",
                OutputMessages = failed ? string.Empty : "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Answer\"}],\"finish_reason\":\"stop\"}]",
            };
            if (!failed)
            {
                call.FinishReasons.Add(FinishReasons[random.Next(FinishReasons.Length)]);
            }

            if (random.Next(5) == 0)
            {
                call.ToolDefinitions = "[{\"type\":\"function\",\"name\":\"get_weather\"}]";
            }

            call.Co2eGrams = call.EnergyWh * 436 / 1000;
            call.Write(callRows);
            WriteFeedback(feedbackRows, call, i);

            // A later revision of the same call (content that arrived in a log record): FINAL keeps it, the rollups ignore it.
            if (random.Next(6) == 0)
            {
                call.Revision = 1;
                call.SystemInstructions = "[{\"type\":\"text\",\"content\":\"Be brief.\"}]";
                call.Write(revisions);
            }

            var server = new TraceRow
            {
                Project = call.Project, TraceId = traceId, SpanId = serverSpanId, SpanName = "POST /ask", SpanKind = "Server",
                ServiceName = service, StartTimeUnixNano = startNs - 5_000_000, EndTimeUnixNano = startNs + durationNs + 5_000_000,
                StatusCode = failed ? "Error" : "Unset", ScopeName = "Microsoft.AspNetCore",
            };
            server.Write(spans);
            var attributes = new KeyValueList();
            attributes.Add("gen_ai.operation.name", "chat");
            attributes.Add("gen_ai.request.model", model);
            attributes.Add("gen_ai.provider.name", provider);
            var span = new TraceRow
            {
                Project = call.Project, TraceId = traceId, SpanId = callSpanId, ParentSpanId = serverSpanId, SpanName = "chat " + model,
                SpanKind = "Client", ServiceName = service, StartTimeUnixNano = startNs, EndTimeUnixNano = startNs + durationNs,
                SpanAttributes = attributes, StatusCode = call.StatusCode, StatusMessage = call.StatusMessage, ScopeName = "OtelLlm.Instrumentation",
            };
            span.Write(spans);
        }

        await OtelLlm.TestSupport.LlmCallInserts.InsertAsync(client, callRows.WrittenMemory, "write demo calls");
        await OtelLlm.TestSupport.LlmCallInserts.InsertAsync(client, revisions.WrittenMemory, "write demo call revisions");
        await client.InsertRowBinaryAsync(TraceRow.Table, TraceRow.Columns, spans.WrittenMemory, "write demo spans");
        if (feedback)
        {
            await client.InsertRowBinaryAsync(FeedbackRow.Table, FeedbackRow.Columns, feedbackRows.WrittenMemory, "write demo feedback");
        }
        return calls;
    }

    private static string Hex(Random random, int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        random.NextBytes(buffer);
        return Convert.ToHexStringLower(buffer);
    }
}
