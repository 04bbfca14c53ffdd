using System.Globalization;
using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Semantics;

namespace OtelLlm.LoadGen.Payloads;

/// <summary>
/// Builds realistic GenAI export requests: traces of one <c>invoke_agent</c> parent and four <c>chat</c> children
/// (semantic conventions 1.37), with a fixed seed so every run sends the same bytes.
/// </summary>
internal sealed class GenAiSpanFactory(PayloadProfile profile, int seed = 42)
{
    /// <summary>Spans per trace: one parent and this many minus one chat calls.</summary>
    public const int SpansPerTrace = 5;

    private static readonly (string Provider, string Model, string Address)[] s_models =
    [
        ("openai", "gpt-4o-mini", "api.openai.com"),
        ("openai", "gpt-4o", "api.openai.com"),
        ("anthropic", "claude-sonnet-4-5", "api.anthropic.com"),
        ("anthropic", "claude-haiku-4-5", "api.anthropic.com"),
        ("gcp.vertex_ai", "gemini-2.5-flash", "aiplatform.googleapis.com"),
        ("aws.bedrock", "amazon.nova-pro-v1", "bedrock-runtime.us-east-1.amazonaws.com"),
    ];

    private static readonly string[] s_services = ["support-bot", "search-api", "summarizer", "agent-worker"];
    private static readonly string[] s_words =
        ["order", "refund", "shipping", "account", "invoice", "please", "customer", "delivery", "the", "a", "tracking", "why", "when",
         "product", "warranty", "replace", "damaged", "thanks", "policy", "days", "return", "label", "address", "update", "help"];

    private readonly Random _random = new(seed);

    /// <summary>Builds one request of <paramref name="spanCount"/> spans (rounded up to whole traces).</summary>
    public ExportTraceServiceRequest Build(int spanCount, ulong startUnixNano)
    {
        var service = s_services[_random.Next(s_services.Length)];
        var resource = new Resource();
        resource.Attributes.Add(Kv(Otel.ServiceName, service));
        resource.Attributes.Add(Kv(Otel.ServiceVersion, "1.4.2"));
        resource.Attributes.Add(Kv(Otel.DeploymentEnvironmentName, "production"));
        resource.Attributes.Add(Kv(Otel.TelemetrySdkName, "opentelemetry"));
        resource.Attributes.Add(Kv(Otel.TelemetrySdkLanguage, "dotnet"));
        resource.Attributes.Add(Kv(Otel.TelemetrySdkVersion, "1.20.1"));

        var scopeSpans = new ScopeSpans
        {
            Scope = new InstrumentationScope { Name = "OtelLlm.Instrumentation", Version = "1.0.0" },
            SchemaUrl = "https://opentelemetry.io/schemas/1.37.0",
        };
        var traces = (spanCount + SpansPerTrace - 1) / SpansPerTrace;
        var time = startUnixNano;
        for (var t = 0; t < traces; t++)
        {
            AddTrace(scopeSpans.Spans, ref time);
        }

        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(new ResourceSpans { Resource = resource, ScopeSpans = { scopeSpans }, SchemaUrl = scopeSpans.SchemaUrl });
        return request;
    }

    /// <summary>Builds a one-span request whose trace id is <paramref name="traceId"/> (used to time visibility).</summary>
    public ExportTraceServiceRequest BuildProbe(byte[] traceId, ulong startUnixNano)
    {
        var request = Build(SpansPerTrace, startUnixNano);
        var id = ByteString.CopyFrom(traceId);
        foreach (var span in request.ResourceSpans[0].ScopeSpans[0].Spans)
        {
            span.TraceId = id;
        }

        return request;
    }

    private void AddTrace(Google.Protobuf.Collections.RepeatedField<Span> spans, ref ulong time)
    {
        var traceId = RandomBytes(16);
        var parentId = RandomBytes(8);
        var conversation = "conv_" + _random.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
        var user = "user_" + _random.Next(5_000).ToString(CultureInfo.InvariantCulture);
        var parentStart = time;
        var childStart = time + 1_000_000;
        for (var i = 1; i < SpansPerTrace; i++)
        {
            var (provider, model, address) = s_models[_random.Next(s_models.Length)];
            var duration = (ulong)(200_000_000 + _random.Next(2_000_000_000));
            var failed = _random.Next(50) == 0;
            var input = 50 + _random.Next(4000);
            var output = failed ? 0 : 10 + _random.Next(800);
            var span = new Span
            {
                TraceId = traceId,
                SpanId = RandomBytes(8),
                ParentSpanId = parentId,
                Name = "chat " + model,
                Kind = Span.Types.SpanKind.Client,
                StartTimeUnixNano = childStart,
                EndTimeUnixNano = childStart + duration,
                Status = failed
                    ? new Status { Code = Status.Types.StatusCode.Error, Message = "429 Too Many Requests" }
                    : new Status(),
            };
            var a = span.Attributes;
            a.Add(Kv(GenAi.Operation.Name, GenAi.Operation.Chat));
            a.Add(Kv(GenAi.Provider.Name, provider));
            a.Add(Kv(GenAi.Request.Model, model));
            a.Add(Kv(GenAi.Request.Temperature, 0.2 + (_random.Next(8) / 10.0)));
            a.Add(Kv(GenAi.Request.TopP, 1.0));
            a.Add(Kv(GenAi.Request.MaxTokens, 1024L));
            a.Add(Kv(GenAi.ConversationId, conversation));
            a.Add(Kv(Otel.ServerAddress, address));
            a.Add(Kv(Otel.ServerPort, 443L));
            a.Add(Kv(Otel.UserId, user));
            a.Add(Kv(GenAi.Usage.InputTokens, (long)input));
            if (failed)
            {
                a.Add(Kv(Otel.ErrorType, "429"));
            }
            else
            {
                a.Add(Kv(GenAi.Response.Model, model + "-2025-08-07"));
                a.Add(Kv(GenAi.Response.Id, "chatcmpl-" + Convert.ToHexStringLower(RandomBytes(12).Span)));
                a.Add(Kv(GenAi.Usage.OutputTokens, (long)output));
                var reasons = new ArrayValue();
                reasons.Values.Add(new AnyValue { StringValue = "stop" });
                a.Add(new KeyValue { Key = GenAi.Response.FinishReasons, Value = new AnyValue { ArrayValue = reasons } });
            }

            if (profile == PayloadProfile.ContentOn)
            {
                a.Add(Kv(GenAi.SystemInstructions, "[{\"type\":\"text\",\"content\":" + JsonString(Text(200)) + "}]"));
                a.Add(Kv(GenAi.InputMessages,
                    "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":" + JsonString(Text(2000)) + "}]}]"));
                if (!failed)
                {
                    a.Add(Kv(GenAi.OutputMessages,
                        "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":" + JsonString(Text(1000)) + "}],\"finish_reason\":\"stop\"}]"));
                }
            }

            spans.Add(span);
            childStart += duration + 5_000_000;
        }

        var parent = new Span
        {
            TraceId = traceId,
            SpanId = parentId,
            Name = "invoke_agent support",
            Kind = Span.Types.SpanKind.Internal,
            StartTimeUnixNano = parentStart,
            EndTimeUnixNano = childStart,
            Status = new Status(),
        };
        parent.Attributes.Add(Kv(GenAi.Operation.Name, GenAi.Operation.InvokeAgent));
        parent.Attributes.Add(Kv(GenAi.Agent.Name, "support"));
        parent.Attributes.Add(Kv(GenAi.ConversationId, conversation));
        spans.Add(parent);
        time = childStart + 1_000_000;
    }

    private ByteString RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }

    private string Text(int chars)
    {
        var sb = new StringBuilder(chars + 16);
        while (sb.Length < chars)
        {
            sb.Append(s_words[_random.Next(s_words.Length)]).Append(' ');
        }

        return sb.ToString(0, chars);
    }

    private static string JsonString(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static KeyValue Kv(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static KeyValue Kv(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    private static KeyValue Kv(string key, double value) => new() { Key = key, Value = new AnyValue { DoubleValue = value } };
}
