using System.Text;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Normalization.Dialects;

namespace OtelLlm.Receiver.Tests.Decoding;

/// <summary>The first look at a span: one list of GenAI keys, the same answer for decoded keys, UTF-8 keys and the normalizer.</summary>
public sealed class GenAiSpanFilterTests
{
    public static TheoryData<string, bool> Keys => new()
    {
        { "gen_ai.operation.name", true },
        { "gen_ai.", true },
        { "llm.request.type", true },
        { "llm.model_name", true },
        { "openinference.span.kind", true },
        { "openinference.span.kind.x", false },
        { "openinference.span", false },
        { "ai.operationId", true },
        { "ai.operationid", false },
        { "ai.model.id", false },
        { "gen_ai", false },
        { "llm", false },
        { "LLM.model_name", false },
        { "http.method", false },
        { "user.id", false },
        { string.Empty, false },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public void IsGenAiKey_SameForStringAndUtf8_AndForTheNormalizersLook(string key, bool expected)
    {
        Assert.Equal(expected, GenAiSpanFilter.IsGenAiKey(key));
        Assert.Equal(expected, GenAiSpanFilter.IsGenAiKey(Encoding.UTF8.GetBytes(key)));
        var span = new Span { Attributes = { new KeyValue { Key = "http.route", Value = new AnyValue { StringValue = "/" } }, new KeyValue { Key = key } } };
        Assert.Equal(expected, GenAiSpanFilter.MayBeGenAi(span));
        Assert.Equal(expected, GenAiDialects.MayBeGenAi(span));
    }
}
