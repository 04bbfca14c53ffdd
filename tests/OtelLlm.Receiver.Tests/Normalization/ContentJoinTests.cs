using System.Text.Json.Nodes;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.Normalization;
using static OtelLlm.Receiver.Tests.Normalization.NormalizerKit;

namespace OtelLlm.Receiver.Tests.Normalization;

public sealed class ContentJoinTests : IDisposable
{
    private const string ExpectedInput = """
        [{"role":"system","parts":[{"type":"text","content":"Be brief."}]},
         {"role":"user","parts":[{"type":"text","content":"Weather?"}]},
         {"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Oslo"}}]},
         {"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":"cold"}]}]
        """;

    private const string ExpectedOutput = """
        [{"role":"assistant","parts":[{"type":"text","content":"It is cold."}],"finish_reason":"stop"}]
        """;

    private readonly NormalizerKit _kit = new();

    public void Dispose() => _kit.Dispose();

    /// <summary>A semconv v1.36 chat span as the OTel JS OpenAI instrumentation sends it: no content on the span.</summary>
    private static Span JsChatSpan() => NewSpan("chat gpt-4o-mini",
        Attr("gen_ai.operation.name", "chat"),
        Attr("gen_ai.system", "openai"),
        Attr("gen_ai.request.model", "gpt-4o-mini"),
        Attr("gen_ai.usage.input_tokens", 30L),
        Attr("gen_ai.usage.output_tokens", 5L),
        Attr("gen_ai.response.finish_reasons", "stop"));

    /// <summary>The v1.36 per-message events of that call, with the event name as the legacy attribute (OTel JS).</summary>
    private static LogRecord[] ContentLogs(Span span) =>
    [
        NewLog(span, "gen_ai.system.message", Map(("content", Str("Be brief."))), nameAsAttribute: true, time: 1),
        NewLog(span, "gen_ai.user.message", Map(("content", Str("Weather?"))), nameAsAttribute: true, time: 1),
        NewLog(span, "gen_ai.assistant.message", Map(("tool_calls", List(Map(("id", Str("call_1")), ("type", Str("function")),
            ("function", Map(("name", Str("get_weather")), ("arguments", Str("{\"city\":\"Oslo\"}")))))))), nameAsAttribute: true, time: 1),
        NewLog(span, "gen_ai.tool.message", Map(("id", Str("call_1")), ("content", Str("cold"))), nameAsAttribute: true, time: 1),
        NewLog(span, "gen_ai.choice", Map(("index", Int(0)), ("finish_reason", Str("stop")), ("message", Map(("content", Str("It is cold."))))),
            nameAsAttribute: true, time: 2),
    ];

    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\nactual   {actual}");

    [Fact]
    public void LogsBeforeSpan_SingleRowWithContent()
    {
        var span = JsChatSpan();

        var early = _kit.Logs(ContentLogs(span));
        var row = _kit.Span(span, "@opentelemetry/instrumentation-openai");

        Assert.Empty(early);
        Assert.NotNull(row);
        Assert.Equal("otel_js_openai", row.SourceFormat);
        Assert.Equal(0U, row.Revision);
        AssertJson(ExpectedInput, row.InputMessages);
        AssertJson(ExpectedOutput, row.OutputMessages);
        Assert.Equal(30UL, row.InputTokens);
    }

    [Fact]
    public void SpanBeforeLogs_RowNowThenRevisionWithContent()
    {
        var span = JsChatSpan();

        var row = _kit.Span(span, "@opentelemetry/instrumentation-openai");
        var revisions = _kit.Logs(ContentLogs(span));

        Assert.NotNull(row);
        Assert.Equal(0U, row.Revision);
        Assert.Equal(string.Empty, row.InputMessages);
        var last = Assert.Single(revisions);
        Assert.Equal(1U, last.Revision);
        Assert.Equal(row.SpanId, last.SpanId);
        Assert.Equal(row.TraceId, last.TraceId);
        Assert.Equal(row.InputTokens, last.InputTokens);
        Assert.Equal(row.CostUsd, last.CostUsd);
        Assert.Equal(row.FinishReasons, last.FinishReasons);
        AssertJson(ExpectedInput, last.InputMessages);
        AssertJson(ExpectedOutput, last.OutputMessages);
    }

    [Fact]
    public void LogsInAnotherRequest_StillJoinWithHigherRevision()
    {
        var span = JsChatSpan();
        var logs = ContentLogs(span);

        _kit.Span(span, "@opentelemetry/instrumentation-openai");
        var first = _kit.Logs(logs[..4]);
        var second = _kit.Logs(logs[4..]);

        Assert.Single(first);
        Assert.Single(second);
        Assert.Equal(1U, first[0].Revision);
        Assert.Equal(2U, second[0].Revision);
        AssertJson(ExpectedInput, second[0].InputMessages);
        AssertJson(ExpectedOutput, second[0].OutputMessages);
        Assert.Equal(string.Empty, first[0].OutputMessages);
    }

    [Fact]
    public void DuplicateDelivery_NoExtraRevisions()
    {
        var span = JsChatSpan();

        _kit.Span(span, "@opentelemetry/instrumentation-openai");
        var first = _kit.Logs(ContentLogs(span));
        var again = _kit.Logs(ContentLogs(span));
        var spanAgain = _kit.Span(span, "@opentelemetry/instrumentation-openai");

        Assert.NotEmpty(first);
        Assert.Empty(again);
        Assert.NotNull(spanAgain);
        Assert.Equal(first[^1].Revision, spanAgain.Revision);
        Assert.Equal(first[^1].InputMessages, spanAgain.InputMessages);
        Assert.Equal(first[^1].OutputMessages, spanAgain.OutputMessages);
    }

    [Fact]
    public void OrphanLogs_ProduceNoRowAndExpire()
    {
        var span = JsChatSpan();

        var rows = _kit.Logs(ContentLogs(span));
        Assert.Empty(rows);
        Assert.Equal(1, _kit.Normalizer.Join.Count);

        _kit.Clock.Advance(TimeSpan.FromSeconds(_kit.Options.ContentJoinWindowSeconds + 1));
        _kit.Logs(NewLog(JsChatSpan(), "gen_ai.user.message", Map(("content", Str("other")))));

        Assert.Equal(1, _kit.Normalizer.Join.Count);
    }

    [Fact]
    public void WindowExpiry_LateLogsDoNotJoin()
    {
        var span = JsChatSpan();

        var row = _kit.Span(span, "@opentelemetry/instrumentation-openai");
        _kit.Clock.Advance(TimeSpan.FromSeconds(_kit.Options.ContentJoinWindowSeconds + 1));
        var late = _kit.Logs(ContentLogs(span));

        Assert.NotNull(row);
        Assert.Empty(late);
    }

    [Fact]
    public void WithinWindow_LogsJoin()
    {
        var span = JsChatSpan();

        _kit.Span(span, "@opentelemetry/instrumentation-openai");
        _kit.Clock.Advance(TimeSpan.FromSeconds(_kit.Options.ContentJoinWindowSeconds - 1));
        var joined = _kit.Logs(ContentLogs(span));

        Assert.NotEmpty(joined);
    }

    [Fact]
    public void OwnInstrumentationAndContentOnSpan_NotRemembered()
    {
        var own = NewSpan("chat gpt-4o-mini",
            Attr("gen_ai.operation.name", "chat"),
            Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "gpt-4o-mini"),
            Attr("gen_ai.usage.input_tokens", 30L));
        var withContent = NewSpan("chat gpt-4o-mini",
            Attr("gen_ai.operation.name", "chat"),
            Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "gpt-4o-mini"),
            Attr("gen_ai.input.messages", """[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]"""),
            Attr("gen_ai.output.messages", """[{"role":"assistant","parts":[{"type":"text","content":"Hello"}],"finish_reason":"stop"}]"""));
        var openInference = NewSpan("ChatCompletion",
            Attr("openinference.span.kind", "LLM"),
            Attr("llm.model_name", "gpt-4o-mini"));
        var contentless = NewSpan("chat gpt-4o-mini",
            Attr("gen_ai.operation.name", "chat"),
            Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "gpt-4o-mini"));

        Assert.NotNull(_kit.Span(own, "OtelLlm.Instrumentation"));
        Assert.NotNull(_kit.Span(withContent, "some-sdk"));
        Assert.NotNull(_kit.Span(openInference, "openinference.instrumentation.openai"));
        Assert.Equal(0, _kit.Normalizer.Join.Count);

        Assert.NotNull(_kit.Span(contentless, "some-sdk"));
        Assert.Equal(1, _kit.Normalizer.Join.Count);
    }

    [Fact]
    public void Meai_From99OnNotRemembered_UpTo98AwaitsItsLogContent()
    {
        // Microsoft.Extensions.AI 9.9+ (gen_ai.provider.name) puts content on the span or nowhere; up to 9.8 (semconv
        // v1.36, gen_ai.system) it logged content through ILogger, so those rows wait for it.
        var current = NewSpan("chat gpt-4o-mini",
            Attr("gen_ai.operation.name", "chat"),
            Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "gpt-4o-mini"));
        var old = NewSpan("chat gpt-4o-mini",
            Attr("gen_ai.operation.name", "chat"),
            Attr("gen_ai.system", "openai"),
            Attr("gen_ai.request.model", "gpt-4o-mini"));

        Assert.Equal("meai", _kit.Span(current, "Experimental.Microsoft.Extensions.AI")!.SourceFormat);
        Assert.Equal(0, _kit.Normalizer.Join.Count);

        Assert.Equal("meai", _kit.Span(old, "Experimental.Microsoft.Extensions.AI")!.SourceFormat);
        Assert.Equal(1, _kit.Normalizer.Join.Count);
    }

    [Fact]
    public void BoundedMemory_OldestEvictedAndCounted()
    {
        using var kit = new NormalizerKit(new GenAiNormalizationOptions { ContentJoinMaxEntries = 3 });
        var spans = Enumerable.Range(0, 5).Select(_ => JsChatSpan()).ToArray();

        foreach (var s in spans)
        {
            kit.Span(s, "@opentelemetry/instrumentation-openai");
        }

        Assert.Equal(3, kit.Normalizer.Join.Count);
        Assert.Equal(2, kit.Sum("otel_llm.receiver.content_join.evicted"));
        Assert.Empty(kit.Logs(ContentLogs(spans[0])));
        Assert.NotEmpty(kit.Logs(ContentLogs(spans[4])));
    }

    [Fact]
    public void OperationDetailsLogs_WithTopLevelEventName_JoinStructuredMessages()
    {
        var span = NewSpan("chat gpt-4o", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.provider.name", "openai"),
            Attr("gen_ai.request.model", "gpt-4o"), Attr("gen_ai.system_instructions", "Answer in French."));
        var inputLog = NewLog(span, "gen_ai.client.inference.operation.details", null, time: 1, attributes:
            Attr("gen_ai.input.messages", List(Map(("role", Str("user")), ("parts", List(Map(("type", Str("text")), ("content", Str("Bonjour")))))))));
        var outputLog = NewLog(span, "gen_ai.client.inference.operation.details", null, time: 2, attributes:
            Attr("gen_ai.output.messages", List(Map(("role", Str("assistant")), ("finish_reason", Str("stop")),
                ("parts", List(Map(("type", Str("text")), ("content", Str("Salut")))))))));

        var row = _kit.Span(span, "@opentelemetry/instrumentation-openai");
        var revisions = _kit.Logs(inputLog, outputLog);

        Assert.NotNull(row);
        AssertJson("""[{"type":"text","content":"Answer in French."}]""", row.SystemInstructions);
        var last = revisions[^1];
        AssertJson("""[{"role":"user","parts":[{"type":"text","content":"Bonjour"}]}]""", last.InputMessages);
        AssertJson("""[{"role":"assistant","parts":[{"type":"text","content":"Salut"}],"finish_reason":"stop"}]""", last.OutputMessages);
        AssertJson(row.SystemInstructions, last.SystemInstructions);
    }

    [Fact]
    public void MeaiLegacyJsonStringBodies_JoinAsMessages()
    {
        var span = NewSpan("chat gpt-4o", Attr("gen_ai.operation.name", "chat"), Attr("gen_ai.system", "openai"), Attr("gen_ai.request.model", "gpt-4o"));
        var logs = new[]
        {
            NewLog(span, "gen_ai.user.message", Str("{\"content\":\"Hi there\"}"), nameAsAttribute: true, time: 5),
            NewLog(span, "gen_ai.choice", Str("{\"finish_reason\":\"tool_calls\",\"index\":0,\"message\":{\"tool_calls\":[{\"id\":\"c9\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":{\"q\":1}}}]}}"), nameAsAttribute: true, time: 6),
        };

        _kit.Logs(logs);
        var row = _kit.Span(span, "Experimental.Microsoft.Extensions.AI");

        Assert.NotNull(row);
        Assert.Equal("meai", row.SourceFormat);
        AssertJson("""[{"role":"user","parts":[{"type":"text","content":"Hi there"}]}]""", row.InputMessages);
        AssertJson("""[{"role":"assistant","parts":[{"type":"tool_call","id":"c9","name":"lookup","arguments":{"q":1}}],"finish_reason":"tool_call"}]""", row.OutputMessages);
    }

    [Fact]
    public void ContentlessLogs_CaptureOff_ProduceNoRevision()
    {
        var span = JsChatSpan();

        _kit.Span(span, "@opentelemetry/instrumentation-openai");
        var revisions = _kit.Logs(
            NewLog(span, "gen_ai.user.message", Map(), nameAsAttribute: true),
            NewLog(span, "gen_ai.choice", Map(("index", Int(0)), ("finish_reason", Str("stop")), ("message", Map())), nameAsAttribute: true));

        Assert.Empty(revisions);
    }
}
