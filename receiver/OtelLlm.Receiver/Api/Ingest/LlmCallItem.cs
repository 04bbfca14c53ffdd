using System.Text.Json;
using System.Text.Json.Nodes;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Api.Ingest;

/// <summary>The two rows of one ingested call.</summary>
internal sealed record IngestedLlmCall(LlmCallRow Call, TraceRow Span);

/// <summary>
/// One item of <c>POST /api/v1/ingest/llm</c> read into the two rows the receiver stores for every model call: the
/// <c>llm_calls</c> row (<c>SourceFormat</c> <c>ingest_api</c>) and its span in <c>otel_traces</c>, so an ingested call is
/// trace-linked like one sent as OTLP. A call without <c>costUsd</c> is priced from the shared price table, and one
/// without <c>energyWh</c> gets its energy from the energy factors.
/// </summary>
internal static class LlmCallItem
{
    public const string ScopeName = "otel_llm.ingest_api";
    private static readonly string[] s_statuses = ["ok", "error"];

    public static IngestedLlmCall? Read(JsonItem item, string project, ModelPriceTable prices, EnergyCalculator energy, int maxContentChars, DateTimeOffset now)
    {
        if (!item.IsObject)
        {
            return null;
        }

        var model = item.String("model", required: true, maxLength: 256);
        var responseModel = item.String("responseModel", maxLength: 256);
        var rawProvider = item.String("provider", maxLength: 128);
        var operation = item.String("operation", maxLength: 64) ?? GenAi.Operation.Chat;
        var durationMs = item.Number("durationMs", 0, TimeSpan.FromDays(1).TotalMilliseconds) ?? 0;
        var timestamp = item.Time("timestamp");
        var usage = item.Object("usage");
        var inputTokens = usage?.Integer("inputTokens") ?? 0;
        var outputTokens = usage?.Integer("outputTokens") ?? 0;
        var cacheRead = usage?.Integer("cacheReadTokens") ?? 0;
        var cacheWrite = usage?.Integer("cacheWriteTokens") ?? 0;
        var reasoning = usage?.Integer("reasoningTokens") ?? 0;
        usage?.RejectUnknown();
        var costUsd = item.Number("costUsd", 0, 1e9);
        var energyWh = item.Number("energyWh", 0, 1e9);
        var status = item.OneOf("status", s_statuses) ?? "ok";
        var errorType = item.String("errorType", maxLength: 256);
        var errorMessage = item.String("errorMessage", maxLength: 10_000);
        var userId = item.String("userId", maxLength: 256);
        var sessionId = item.String("sessionId", maxLength: 256);
        var workload = item.String("workload", maxLength: 256);
        var service = item.String("service", maxLength: 256);
        var environment = item.String("environment", maxLength: 128);
        var traceId = item.HexId("traceId", 32);
        var spanId = item.HexId("spanId", 16);
        var parentSpanId = item.HexId("parentSpanId", 16);
        var responseId = item.String("responseId", maxLength: 256);
        var streaming = item.Boolean("streaming");
        var ttft = item.Number("timeToFirstTokenMs", 0, TimeSpan.FromDays(1).TotalMilliseconds);
        var finishReasons = StringArray(item, "finishReasons");
        var input = Messages(item, "input", output: false, out var system);
        var output = Messages(item, "output", output: true, out _);
        var tools = Tools(item);
        var metadata = item.StringMap("metadata", maxEntries: 128);
        item.RejectUnknown();
        foreach (var (name, text) in (ReadOnlySpan<(string, string)>)[("input", input), ("input", system), ("output", output), ("tools", tools)])
        {
            if (maxContentChars > 0 && text.Length > maxContentChars)
            {
                item.Error(name, $"Is {text.Length} characters as stored; the most the receiver keeps is {maxContentChars} (Normalization:MaxContentChars).");
            }
        }

        if (status == "ok" && (errorType is not null || errorMessage is not null))
        {
            item.Error("status", "Is 'ok' but errorType or errorMessage is given; set status to 'error'.");
        }

        if (ttft is { } t && t > durationMs && durationMs > 0)
        {
            item.Error("timeToFirstTokenMs", "Is longer than durationMs.");
        }

        if (model is null)
        {
            return null;
        }

        var durationNanos = (ulong)Math.Round(durationMs * 1e6);
        var start = timestamp ?? now.AddTicks(-(long)(durationNanos / 100));
        if (start > now.AddDays(1))
        {
            item.Error("timestamp", "Is more than a day in the future.");
            return null;
        }

        var startNanos = (ulong)(start.ToUniversalTime() - DateTimeOffset.UnixEpoch).Ticks * 100;
        var provider = ProviderNames.Normalize(rawProvider) ?? string.Empty;
        var call = new LlmCallRow
        {
            Project = project,
            StartTimeUnixNano = startNanos,
            Duration = durationNanos,
            TraceId = traceId ?? ApiIds.NewHexId(16),
            SpanId = spanId ?? ApiIds.NewHexId(8),
            ParentSpanId = parentSpanId ?? string.Empty,
            ServiceName = service ?? string.Empty,
            Environment = environment ?? string.Empty,
            Operation = operation,
            Provider = provider,
            RequestModel = model,
            ResponseModel = responseModel ?? model,
            InputTokens = (ulong)inputTokens,
            OutputTokens = (ulong)outputTokens,
            CacheReadTokens = (ulong)cacheRead,
            CacheWriteTokens = (ulong)cacheWrite,
            ReasoningTokens = (ulong)reasoning,
            TotalTokens = (ulong)(inputTokens + outputTokens),
            Streaming = streaming ?? false,
            TimeToFirstTokenMs = ttft,
            ResponseId = responseId ?? string.Empty,
            ConversationId = sessionId ?? string.Empty,
            UserId = userId ?? string.Empty,
            Workload = workload ?? string.Empty,
            StatusCode = status == "error" ? "Error" : "Ok",
            ErrorType = status == "error" ? errorType ?? "error" : string.Empty,
            StatusMessage = errorMessage ?? string.Empty,
            InputMessages = input,
            OutputMessages = output,
            SystemInstructions = system,
            ToolDefinitions = tools,
            SourceFormat = SourceFormats.IngestApi,
        };
        call.FinishReasons.AddRange(finishReasons ?? []);
        if (costUsd is { } cost)
        {
            call.CostUsd = cost;
            call.CostSource = CostSources.Span;
        }
        else
        {
            var tokens = new TokenUsage(inputTokens, outputTokens, cacheRead, cacheWrite, reasoning);
            var priced = prices.PriceCall(provider.Length == 0 ? null : provider, call.ResponseModel, call.RequestModel, tokens, start, out _);
            if (priced is not null)
            {
                call.CostUsd = priced;
                call.CostSource = CostSources.PriceTable;
            }
        }

        energy.Apply(energyWh, call);
        var attributes = new StoredKeyValueList();
        foreach (var (key, value) in metadata ?? [])
        {
            attributes.Add(key, value);
        }

        call.Attributes = attributes;
        return new IngestedLlmCall(call, Span(call, rawProvider));
    }

    /// <summary>The call's span, with the GenAI attributes an OTLP client would have sent.</summary>
    private static TraceRow Span(LlmCallRow call, string? rawProvider)
    {
        var resource = new StoredKeyValueList();
        if (call.ServiceName.Length > 0)
        {
            resource.Add(Otel.ServiceName, call.ServiceName);
        }

        if (call.Environment.Length > 0)
        {
            resource.Add(Otel.DeploymentEnvironmentName, call.Environment);
        }

        var a = new StoredKeyValueList();
        Add(a, GenAi.Operation.Name, call.Operation);
        Add(a, GenAi.Provider.Name, call.Provider.Length > 0 ? call.Provider : rawProvider ?? string.Empty);
        Add(a, GenAi.Request.Model, call.RequestModel);
        Add(a, GenAi.Response.Model, call.ResponseModel);
        Add(a, GenAi.Response.Id, call.ResponseId);
        Add(a, GenAi.Usage.InputTokens, call.InputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(a, GenAi.Usage.OutputTokens, call.OutputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(a, GenAi.ConversationId, call.ConversationId);
        Add(a, Otel.UserId, call.UserId);
        Add(a, OtelLlmNames.Workload, call.Workload);
        Add(a, Otel.ErrorType, call.ErrorType);
        if (call.CostUsd is { } cost)
        {
            Add(a, OtelLlmNames.CostUsd, cost.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (call.EnergyWh is { } wh)
        {
            Add(a, OtelLlmNames.EnergyWh, wh.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }

        for (var i = 0; i < call.Attributes.Count; i++)
        {
            a.Add(call.Attributes.Keys[i], call.Attributes.Values[i]);
        }

        return new TraceRow
        {
            Project = call.Project,
            StartTimeUnixNano = call.StartTimeUnixNano,
            EndTimeUnixNano = call.StartTimeUnixNano + call.Duration,
            TraceId = call.TraceId,
            SpanId = call.SpanId,
            ParentSpanId = call.ParentSpanId,
            SpanName = $"{call.Operation} {call.RequestModel}",
            SpanKind = "Client",
            ServiceName = call.ServiceName,
            ResourceAttributes = resource,
            ScopeName = ScopeName,
            SpanAttributes = a,
            StatusCode = call.StatusCode,
            StatusMessage = call.StatusMessage,
        };
    }

    private static void Add(StoredKeyValueList list, string key, string value)
    {
        if (value.Length > 0)
        {
            list.Add(key, value);
        }
    }

    private static List<string>? StringArray(JsonItem item, string name)
    {
        if (item.Value(name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            item.Error(name, $"Expected an array of strings, found {JsonItem.Describe(v)}.");
            return null;
        }

        return [.. v.EnumerateArray().Select(e => e.GetString()!)];
    }

    /// <summary>
    /// <c>input</c>/<c>output</c>: a string, one OpenAI-style message or an array of them, stored in the OTel GenAI
    /// message schema. System messages of the input become the system instructions.
    /// </summary>
    private static string Messages(JsonItem item, string name, bool output, out string systemInstructions)
    {
        systemInstructions = string.Empty;
        if (item.Value(name) is not { } v)
        {
            return string.Empty;
        }

        JsonNode? node = v.ValueKind switch
        {
            JsonValueKind.String => new JsonArray(new JsonObject
            {
                ["role"] = output ? "assistant" : "user",
                ["content"] = v.GetString(),
            }),
            JsonValueKind.Object => new JsonArray(JsonNode.Parse(v.GetRawText())),
            JsonValueKind.Array => JsonNode.Parse(v.GetRawText()),
            _ => null,
        };
        if (node is null)
        {
            item.Error(name, $"Expected a string, a message object or an array of messages, found {JsonItem.Describe(v)}.");
            return string.Empty;
        }

        var index = 0;
        foreach (var message in node.AsArray())
        {
            if (message is not JsonObject m || m["role"] is not JsonValue role || role.GetValueKind() != JsonValueKind.String)
            {
                item.Error($"{name}[{index}]", "Each message needs a string 'role' (system, user, assistant or tool) and 'content'.");
            }
            else if (m["content"] is null && m["tool_calls"] is null && m["parts"] is null)
            {
                item.Error($"{name}[{index}].content", "Required: the message's text (a string) or content parts.");
            }

            index++;
        }

        var messages = MessageJson.NormalizeMessages(node, output);
        if (messages is null)
        {
            return string.Empty;
        }

        if (!output)
        {
            var system = new JsonArray();
            for (var i = messages.Count - 1; i >= 0; i--)
            {
                if (messages[i] is JsonObject m && (string?)m["role"] == "system")
                {
                    messages.RemoveAt(i);
                    if (m["parts"] is JsonArray parts)
                    {
                        foreach (var part in parts.Reverse().ToList())
                        {
                            parts.Remove(part);
                            system.Insert(0, part);
                        }
                    }
                }
            }

            systemInstructions = system.Count > 0 ? MessageJson.Serialize(system) : string.Empty;
        }

        return messages.Count > 0 ? MessageJson.Serialize(messages) : string.Empty;
    }

    private static string Tools(JsonItem item)
    {
        if (item.Value("tools") is not { } v)
        {
            return string.Empty;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            item.Error("tools", $"Expected an array of tool definitions (OpenAI style), found {JsonItem.Describe(v)}.");
            return string.Empty;
        }

        var tools = MessageJson.NormalizeToolDefinitions(JsonNode.Parse(v.GetRawText()));
        return tools is null ? string.Empty : MessageJson.Serialize(tools);
    }
}
