using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.RowEncoding;
using static OtelLlm.Receiver.Tests.Decoding.TraceDifferential;

namespace OtelLlm.Receiver.Tests.Decoding;

/// <summary>
/// The span-at-a-time traces path against the reference path (Google.Protobuf objects → row classes): every
/// request below must give byte-identical RowBinary for every table, whether the reader handles it itself or hands
/// it to the reference decoder. Every span the normalization tests build goes through the same comparison
/// (<see cref="Normalization.NormalizerKit"/>).
/// </summary>
public sealed class ProtobufTraceEncoderTests
{
    private static readonly string[] s_genAiKeys =
    [
        "gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.system", "gen_ai.request.model", "gen_ai.response.model",
        "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.request.temperature", "gen_ai.request.max_tokens",
        "gen_ai.response.finish_reasons", "gen_ai.conversation.id", "gen_ai.input.messages", "gen_ai.output.messages",
        "llm.request.type", "llm.usage.total_tokens", "openinference.span.kind", "llm.model_name", "user.id", "server.address",
        "server.port", "error.type", "http.method", "db.system", "gen_ai.usage.cost",
    ];

    [Fact]
    public void EmptyRequest_NoRows()
    {
        Assert.Equal(Outcome.FastPath, AssertSameRows([]));
        Assert.Equal(Outcome.FastPath, AssertSameRows(new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans() } }));
        Assert.Equal(Outcome.FastPath, AssertSameRows(new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { ScopeSpans = { new ScopeSpans() } } } }));
    }

    [Fact]
    public void LoadGeneratorShapedRequests_ContentOffAndOn_Identical()
    {
        for (var seed = 0; seed < 4; seed++)
        {
            Assert.Equal(Outcome.FastPath, AssertSameRows(AgentTraces(new Random(seed), 50, content: false)));
            Assert.Equal(Outcome.FastPath, AssertSameRows(AgentTraces(new Random(seed), 50, content: true)));
        }
    }

    [Fact]
    public void MissingFields_DefaultsAndRejectedIds_Identical()
    {
        var bare = new Span { TraceId = Id(16, 1), SpanId = Id(8, 2) };
        var noIds = new Span { Name = "no ids" };
        var shortTrace = new Span { TraceId = Id(15, 3), SpanId = Id(8, 4), Name = "short trace id \u00e9" };
        var badParent = new Span { TraceId = Id(16, 5), SpanId = Id(8, 6), ParentSpanId = Id(4, 7), Name = "bad parent" };
        var genAiRejected = new Span { TraceId = Id(3, 5), SpanId = Id(8, 6), Name = "chat", Attributes = { Str("gen_ai.operation.name", "chat") } };
        var request = Request(new Resource(), new InstrumentationScope(), bare, noIds, shortTrace, badParent, genAiRejected, bare);
        request.ResourceSpans.Add(new ResourceSpans { ScopeSpans = { new ScopeSpans { Spans = { bare } } } });
        Assert.Equal(Outcome.FastPath, AssertSameRows(request));
    }

    [Fact]
    public void EveryValueType_EventsLinksStatus_Identical()
    {
        var span = NewSpan("everything", 1);
        span.TraceState = "vendor=1,other=\u00fc";
        span.Flags = 0x301;
        span.Kind = (Span.Types.SpanKind)9;
        span.EndTimeUnixNano = span.StartTimeUnixNano - 5;
        span.DroppedAttributesCount = 3;
        span.DroppedEventsCount = 4;
        span.DroppedLinksCount = 5;
        span.Status = new Status { Code = (Status.Types.StatusCode)7, Message = "odd \"status\" \u2603" };
        span.Attributes.Add(new KeyValue { Key = "absent value" });
        span.Attributes.Add(new KeyValue { Key = "empty value", Value = new AnyValue() });
        span.Attributes.Add(Str("string", "plain \u0000 \t \" \\ </script> \ud83d\ude00"));
        span.Attributes.Add(new KeyValue { Key = "bool", Value = new AnyValue { BoolValue = true } });
        span.Attributes.Add(new KeyValue { Key = "false", Value = new AnyValue { BoolValue = false } });
        span.Attributes.Add(new KeyValue { Key = "int", Value = new AnyValue { IntValue = long.MinValue } });
        foreach (var d in new[] { 0.1, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, 1e300, 0.7f, 123456789.125 })
        {
            span.Attributes.Add(new KeyValue { Key = "double", Value = new AnyValue { DoubleValue = d } });
        }

        span.Attributes.Add(new KeyValue { Key = "bytes", Value = new AnyValue { BytesValue = ByteString.CopyFrom(1, 2, 3, 250, 251) } });
        span.Attributes.Add(new KeyValue { Key = "empty bytes", Value = new AnyValue { BytesValue = ByteString.Empty } });
        span.Attributes.Add(new KeyValue { Key = "nested", Value = Nested(new Random(3), 6) });
        span.Attributes.Add(new KeyValue { Key = "empty array", Value = new AnyValue { ArrayValue = new ArrayValue() } });
        span.Attributes.Add(new KeyValue { Key = "empty map", Value = new AnyValue { KvlistValue = new KeyValueList() } });
        span.Attributes.Add(new KeyValue { Key = "\u65e5\u672c", Value = new AnyValue { StringValue = "\u65e5\u672c\u8a9e" } });
        span.Attributes.Add(Str("string", "duplicate key"));

        span.Events.Add(new Span.Types.Event { TimeUnixNano = 42, Name = "no attributes" });
        span.Events.Add(new Span.Types.Event { Name = "exception", Attributes = { Str("exception.type", "Boom"), Str("exception.message", "it \"broke\"") }, DroppedAttributesCount = 2 });
        span.Events.Add(new Span.Types.Event { TimeUnixNano = 7, Attributes = { new KeyValue { Key = "x" }, new KeyValue { Key = "nested", Value = Nested(new Random(4), 4) } } });
        span.Links.Add(new Span.Types.Link { TraceId = Id(16, 9), SpanId = Id(8, 10), TraceState = "a=b", Flags = 1 });
        span.Links.Add(new Span.Types.Link { TraceId = Id(3, 11), Attributes = { Str("link", "attr") }, DroppedAttributesCount = 1 });
        span.Links.Add(new Span.Types.Link());
        span.Links.Add(new Span.Types.Link { TraceId = Id(100, 12), SpanId = Id(70, 13) });

        var resource = new Resource
        {
            Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { IntValue = 12 } }, Str("service.name", "second"), Str("host", "h") },
            DroppedAttributesCount = 2,
        };
        var scope = new InstrumentationScope { Name = "scope \u00e9", Version = "1.2", Attributes = { Str("scope.attr", "v") } };
        var request = Request(resource, scope, span);
        request.ResourceSpans[0].SchemaUrl = "https://example.com/resource";
        request.ResourceSpans[0].ScopeSpans[0].SchemaUrl = "https://example.com/scope";
        Assert.Equal(Outcome.FastPath, AssertSameRows(request));
    }

    [Fact]
    public void ManyResourcesAndScopes_GenAiDialects_Identical()
    {
        var request = new ExportTraceServiceRequest();
        string[] scopes = ["OtelLlm.Instrumentation", "Experimental.Microsoft.Extensions.AI", "@opentelemetry/instrumentation-openai", "@traceloop/instrumentation-openai", "openinference.instrumentation.openai", "other"];
        for (var r = 0; r < 3; r++)
        {
            var rs = new ResourceSpans { Resource = new Resource { Attributes = { Str("service.name", "svc-" + r), Str("deployment.environment.name", "prod") } } };
            foreach (var scopeName in scopes)
            {
                var ss = new ScopeSpans { Scope = new InstrumentationScope { Name = scopeName, Version = "9" } };
                ss.Spans.Add(ChatSpan(new Random(r), content: r == 1));
                ss.Spans.Add(NewSpan("GET /", 77));
                rs.ScopeSpans.Add(ss);
            }

            request.ResourceSpans.Add(rs);
        }

        Assert.Equal(Outcome.FastPath, AssertSameRows(request));
    }

    [Fact]
    public void HugeValues_TruncatedLikeTheReference()
    {
        var limit = MaxValueBytes;
        var span = ChatSpan(new Random(1), content: false);
        span.Attributes.Add(Str("huge", "x" + new string('\u00e9', limit / 2)));
        span.Attributes.Add(Str("huge ascii", new string('a', limit + 1)));
        span.Attributes.Add(Str("just fits", new string('b', limit)));
        var array = new ArrayValue();
        array.Values.Add(new AnyValue { StringValue = new string('c', limit) });
        span.Attributes.Add(new KeyValue { Key = "huge array", Value = new AnyValue { ArrayValue = array } });
        span.Attributes.Add(new KeyValue { Key = "huge bytes", Value = new AnyValue { BytesValue = ByteString.CopyFrom(new byte[limit]) } });
        span.Events.Add(new Span.Types.Event { Name = "big", Attributes = { Str("v", new string('d', limit)) } });
        Assert.Equal(Outcome.FastPath, AssertSameRows(Request(new Resource(), new InstrumentationScope(), span)));
    }

    [Fact]
    public void UnknownFieldsAtEveryLevel_Skipped()
    {
        byte[] unknown = [.. Varint(99, 5), .. Len(100, [1, 2, 3]), .. Fixed64(101, 9), .. Fixed32(102, 7)];
        var value = Concat(Len(1, "text"u8.ToArray()), unknown);
        var keyValue = Concat(Len(1, "gen_ai.operation.name"u8.ToArray()), Len(2, value), unknown);
        var kv2 = Concat(Len(1, "gen_ai.request.model"u8.ToArray()), Len(2, Concat(Len(1, "gpt-4o"u8.ToArray()))));
        var nested = Concat(Len(5, Concat(Len(1, Concat(Varint(3, 5), unknown)), unknown)), unknown);
        var kv3 = Concat(Len(1, "array"u8.ToArray()), Len(2, nested));
        var evt = Concat(Fixed64(1, 5), Len(2, "e"u8.ToArray()), Len(3, keyValue), Varint(4, 1), unknown);
        var link = Concat(Len(1, new byte[16]), Len(2, new byte[8]), Len(4, kv2), unknown);
        var status = Concat(Varint(1, 4), Len(2, "m"u8.ToArray()), Varint(3, 2), unknown);
        var span = Concat(
            Len(1, Id(16, 1).ToByteArray()), Len(2, Id(8, 2).ToByteArray()), Len(5, "chat"u8.ToArray()), Fixed64(7, 10), Fixed64(8, 20),
            Len(9, keyValue), Len(9, kv2), Len(9, kv3), Len(11, evt), Len(13, link), Len(15, status), Fixed32(16, 1), unknown);
        var scope = Concat(Len(1, "s"u8.ToArray()), unknown);
        var resource = Concat(Len(1, Concat(Len(1, "service.name"u8.ToArray()), Len(2, Len(1, "svc"u8.ToArray())))), unknown);
        var scopeSpans = Concat(Len(1, scope), Len(2, span), unknown, Len(2, span));
        var resourceSpans = Concat(unknown, Len(1, resource), Len(2, scopeSpans), Len(3, "u"u8.ToArray()));
        Assert.Equal(Outcome.FastPath, AssertSameRows(Concat(unknown, Len(1, resourceSpans), unknown)));
    }

    [Fact]
    public void RepeatedScalarFields_LastOneWins()
    {
        var span = Concat(
            Len(1, Id(16, 1).ToByteArray()), Len(2, Id(8, 2).ToByteArray()), Len(5, "first"u8.ToArray()), Len(5, "second"u8.ToArray()),
            Fixed64(7, 10), Fixed64(7, 11), Varint(6, 2), Varint(6, 3), Len(1, Id(16, 3).ToByteArray()));
        Assert.Equal(Outcome.FastPath, AssertSameRows(Wrap(span)));
    }

    [Fact]
    public void UnusualInput_FallsBackWithIdenticalRows()
    {
        var ids = Concat(Len(1, Id(16, 1).ToByteArray()), Len(2, Id(8, 2).ToByteArray()));
        var genAi = Len(9, Concat(Len(1, "gen_ai.operation.name"u8.ToArray()), Len(2, Len(1, "chat"u8.ToArray()))));

        // A message field given twice is merged by protobuf.
        Assert.Equal(Outcome.FellBack, AssertSameRows(Wrap(Concat(ids, genAi, Len(15, Varint(3, 2)), Len(15, Len(2, "merged"u8.ToArray()))))));
        Assert.Equal(Outcome.FellBack, AssertSameRows(Wrap(Concat(ids, Len(9, Concat(Len(1, "k"u8.ToArray()), Len(2, Len(1, "a"u8.ToArray())), Len(2, Varint(3, 1))))))));
        Assert.Equal(Outcome.FellBack, AssertSameRows(Wrap(Concat(ids, Len(9, Concat(Len(1, "k"u8.ToArray()), Len(2, Concat(Len(1, "a"u8.ToArray()), Varint(3, 1)))))))));

        // A known field with another wire type, and a group.
        Assert.Equal(Outcome.FellBack, AssertSameRows(Wrap(Concat(ids, Varint(5, 1)))));
        Assert.Equal(Outcome.FellBack, AssertSameRows(Wrap(Concat(ids, Len(11, Varint(2, 1))))));
        Assert.Equal(Outcome.FellBack, AssertSameRows(Wrap(Concat(ids, Len(13, Fixed64(3, 1))))));

        // Fields of events and links no column holds (dropped counts, a link's flags), with another wire type: skipped
        // like unknown fields, as Google.Protobuf skips them.
        Assert.Equal(Outcome.FastPath, AssertSameRows(Wrap(Concat(ids, Len(11, Concat(Len(2, "e"u8.ToArray()), Len(4, [1])))))));
        Assert.Equal(Outcome.FastPath, AssertSameRows(Wrap(Concat(ids, Len(13, Concat(Len(1, new byte[16]), Len(2, new byte[8]), Varint(5, 1), Varint(6, 1)))))));
        Assert.Equal(Outcome.FellBack, AssertSameRows(Wrap(Concat(ids, Tag(50, 3), Varint(51, 1), Tag(50, 4)))));

        // Invalid UTF-8 in a name, an attribute key, an attribute value, an event name, a nested value.
        byte[] invalid = [0x61, 0xC3, 0x28, 0xFF, 0x62];
        Assert.NotEqual(Outcome.FastPath, AssertSameRows(Wrap(Concat(ids, Len(5, invalid)))));
        Assert.NotEqual(Outcome.FastPath, AssertSameRows(Wrap(Concat(ids, Len(9, Len(1, invalid))))));
        Assert.NotEqual(Outcome.FastPath, AssertSameRows(Wrap(Concat(ids, genAi, Len(9, Concat(Len(1, "k"u8.ToArray()), Len(2, Len(1, invalid))))))));
        Assert.NotEqual(Outcome.FastPath, AssertSameRows(Wrap(Concat(ids, Len(11, Len(2, invalid))))));
        Assert.NotEqual(Outcome.FastPath, AssertSameRows(Wrap(Concat(ids, Len(9, Concat(Len(1, "k"u8.ToArray()), Len(2, Len(5, Len(1, Len(1, invalid))))))))));

        // Nesting deeper than the reader goes, and deeper than Google.Protobuf goes.
        Assert.Equal(Outcome.FellBack, AssertSameRows(Wrap(Concat(ids, Len(9, Concat(Len(1, "deep"u8.ToArray()), Len(2, DeepValue(ProtobufTraceEncoder.MaxDepth + 5))))))));
        var deepMap = Len(1, "leaf"u8.ToArray());
        for (var i = 0; i < ProtobufTraceEncoder.MaxDepth; i++)
        {
            deepMap = Len(6, Len(1, Concat(Len(1, "k"u8.ToArray()), Len(2, deepMap))));
        }

        Assert.Equal(Outcome.FastPath, AssertSameRows(Wrap(Concat(ids, Len(13, Len(4, Concat(Len(1, "deep"u8.ToArray()), Len(2, deepMap))))))));
        Assert.Equal(Outcome.Invalid, AssertSameRows(Wrap(Concat(ids, Len(9, Concat(Len(1, "deep"u8.ToArray()), Len(2, DeepValue(120))))))));
    }

    [Fact]
    public void TruncatedAndCorruptBytes_RefusedOrIdentical()
    {
        var bytes = AgentTraces(new Random(7), 10, content: true).ToByteArray();
        var outcomes = new Dictionary<Outcome, int>();
        foreach (var cut in new[] { 1, 2, 3, 10, bytes.Length / 2, bytes.Length - 1 })
        {
            var outcome = AssertSameRows(bytes[..cut]);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        var random = new Random(11);
        for (var i = 0; i < 300; i++)
        {
            var corrupt = (byte[])bytes.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            }

            var outcome = AssertSameRows(corrupt);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The corpus exercised all three ways, so each comparison above meant something.
        Assert.True(outcomes.GetValueOrDefault(Outcome.FastPath) > 0, "no corrupt request was read by the span-at-a-time reader");
        Assert.True(outcomes.GetValueOrDefault(Outcome.Invalid) > 0, "no corrupt request was refused");
    }

    [Fact]
    public void RandomRequests_Identical()
    {
        var random = new Random(20251122);
        for (var i = 0; i < 150; i++)
        {
            Assert.Equal(Outcome.FastPath, AssertSameRows(RandomRequest(random)));
        }
    }

    [Fact]
    public void NormalizationOff_TracesRowsIdentical()
    {
        var bytes = AgentTraces(new Random(5), 20, content: true).ToByteArray();
        using var rowsA = new Pipeline.EncodedRequest();
        using var rowsB = new Pipeline.EncodedRequest();
        var expected = ReferenceWithoutNormalization(bytes, rowsA);
        var actual = ProtobufTraceEncoder.Encode(Project, bytes, rowsB, normalizer: null, MaxValueBytes);
        Assert.Equal(expected, actual);
        Assert.True(rowsA.Bytes(Pipeline.TableId.Traces).SequenceEqual(rowsB.Bytes(Pipeline.TableId.Traces)));
        Assert.Equal(0, rowsB.Rows(Pipeline.TableId.LlmCalls));
        Assert.Equal(20, rowsB.Rows(Pipeline.TableId.Traces));
    }

    private static ExportTraceServiceRequest RandomRequest(Random random)
    {
        var request = new ExportTraceServiceRequest();
        for (var r = random.Next(0, 3); r >= 0; r--)
        {
            var rs = new ResourceSpans();
            if (random.Next(3) > 0)
            {
                rs.Resource = new Resource();
                rs.Resource.Attributes.Add(RandomAttributes(random, random.Next(0, 6)));
                if (random.Next(2) == 0)
                {
                    rs.Resource.Attributes.Add(Str("service.name", RandomText(random, 12)));
                }
            }

            rs.SchemaUrl = random.Next(2) == 0 ? string.Empty : RandomText(random, 20);
            for (var s = random.Next(0, 3); s >= 0; s--)
            {
                var ss = new ScopeSpans { SchemaUrl = random.Next(2) == 0 ? string.Empty : RandomText(random, 8) };
                if (random.Next(3) > 0)
                {
                    ss.Scope = new InstrumentationScope { Name = random.Next(2) == 0 ? "OtelLlm.Instrumentation" : RandomText(random, 10), Version = RandomText(random, 3) };
                    ss.Scope.Attributes.Add(RandomAttributes(random, random.Next(0, 3)));
                }

                for (var n = random.Next(0, 6); n > 0; n--)
                {
                    ss.Spans.Add(random.Next(3) == 0 ? ChatSpan(random, random.Next(2) == 0) : RandomSpan(random));
                }

                rs.ScopeSpans.Add(ss);
            }

            request.ResourceSpans.Add(rs);
        }

        return request;
    }

    private static Span RandomSpan(Random random)
    {
        var span = new Span
        {
            TraceId = Id(random.Next(10) == 0 ? random.Next(0, 20) : 16, random.Next()),
            SpanId = Id(random.Next(10) == 0 ? random.Next(0, 10) : 8, random.Next()),
            ParentSpanId = random.Next(2) == 0 ? ByteString.Empty : Id(8, random.Next()),
            TraceState = random.Next(2) == 0 ? string.Empty : RandomText(random, 10),
            Name = RandomText(random, random.Next(0, 30)),
            Kind = (Span.Types.SpanKind)random.Next(0, 8),
            StartTimeUnixNano = (ulong)random.NextInt64(),
            EndTimeUnixNano = (ulong)random.NextInt64(),
            Flags = (uint)random.Next(),
            DroppedAttributesCount = (uint)random.Next(3),
            DroppedEventsCount = (uint)random.Next(3),
            DroppedLinksCount = (uint)random.Next(3),
        };
        span.Attributes.Add(RandomAttributes(random, random.Next(0, 12)));
        if (random.Next(2) == 0)
        {
            span.Status = new Status { Code = (Status.Types.StatusCode)random.Next(0, 4), Message = RandomText(random, random.Next(0, 10)) };
        }

        for (var e = random.Next(0, 3); e > 0; e--)
        {
            var evt = new Span.Types.Event { TimeUnixNano = (ulong)random.NextInt64(), Name = random.Next(4) == 0 ? "exception" : RandomText(random, 8) };
            evt.Attributes.Add(RandomAttributes(random, random.Next(0, 4)));
            span.Events.Add(evt);
        }

        for (var l = random.Next(0, 3); l > 0; l--)
        {
            var link = new Span.Types.Link { TraceId = Id(random.Next(0, 17), random.Next()), SpanId = Id(random.Next(0, 9), random.Next()), TraceState = RandomText(random, 4) };
            link.Attributes.Add(RandomAttributes(random, random.Next(0, 3)));
            span.Links.Add(link);
        }

        return span;
    }

    private static IEnumerable<KeyValue> RandomAttributes(Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var key = random.Next(3) == 0 ? RandomText(random, 6) : s_genAiKeys[random.Next(s_genAiKeys.Length)];
            yield return random.Next(12) == 0 ? new KeyValue { Key = key } : new KeyValue { Key = key, Value = RandomValue(random, 0) };
        }
    }

    private static AnyValue RandomValue(Random random, int depth)
    {
        switch (random.Next(depth > 3 ? 6 : 9))
        {
            case 0:
                return new AnyValue();
            case 1:
                return new AnyValue { BoolValue = random.Next(2) == 0 };
            case 2:
                return new AnyValue { IntValue = random.NextInt64(long.MinValue, long.MaxValue) };
            case 3:
                return new AnyValue { DoubleValue = random.Next(5) == 0 ? BitConverter.Int64BitsToDouble(random.NextInt64()) : random.NextDouble() * 1000 };
            case 4:
                return new AnyValue { BytesValue = ByteString.CopyFrom(Enumerable.Range(0, random.Next(0, 10)).Select(_ => (byte)random.Next(256)).ToArray()) };
            case 5:
                return new AnyValue { StringValue = random.Next(4) == 0 ? random.Next(5000).ToString(System.Globalization.CultureInfo.InvariantCulture) : RandomText(random, random.Next(0, 40)) };
            case 6:
                var array = new ArrayValue();
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    array.Values.Add(RandomValue(random, depth + 1));
                }

                return new AnyValue { ArrayValue = array };
            default:
                var list = new KeyValueList();
                for (var i = random.Next(0, 4); i > 0; i--)
                {
                    list.Values.Add(random.Next(8) == 0 ? new KeyValue { Key = RandomText(random, 3) } : new KeyValue { Key = RandomText(random, 5), Value = RandomValue(random, depth + 1) });
                }

                return new AnyValue { KvlistValue = list };
        }
    }

    private static string RandomText(Random random, int length)
    {
        const string Alphabet = "abcxyz ABC019_.-\"\\/<>&'\t\n\u00e9\u00fc\u4e2d\u6587\u2603\u0000\u007f\u0080\u200b";
        var sb = new StringBuilder(length + 2);
        for (var i = 0; i < length; i++)
        {
            if (random.Next(20) == 0)
            {
                sb.Append("\ud83d\ude00");
            }
            else
            {
                sb.Append(Alphabet[random.Next(Alphabet.Length)]);
            }
        }

        return sb.ToString();
    }

    private static ExportTraceServiceRequest AgentTraces(Random random, int spans, bool content)
    {
        var resource = new Resource
        {
            Attributes = { Str("service.name", "support-bot"), Str("service.version", "1.4.2"), Str("deployment.environment", "production"), Str("telemetry.sdk.language", "dotnet") },
        };
        var scope = new InstrumentationScope { Name = "OtelLlm.Instrumentation", Version = "1.0.0" };
        var list = new List<Span>();
        while (list.Count < spans)
        {
            var parent = NewSpan("invoke_agent support", random.Next());
            parent.Attributes.Add(Str("gen_ai.operation.name", "invoke_agent"));
            parent.Attributes.Add(Str("gen_ai.agent.name", "support"));
            for (var i = 0; i < 4; i++)
            {
                var chat = ChatSpan(random, content);
                chat.TraceId = parent.TraceId;
                chat.ParentSpanId = parent.SpanId;
                list.Add(chat);
            }

            list.Add(parent);
        }

        return Request(resource, scope, [.. list]);
    }

    private static Span ChatSpan(Random random, bool content)
    {
        string[] models = ["gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "unknown-model"];
        string[] providers = ["openai", "anthropic", "gcp.vertex_ai", "OpenAI"];
        var model = models[random.Next(models.Length)];
        var span = NewSpan("chat " + model, random.Next());
        span.Kind = Span.Types.SpanKind.Client;
        var failed = random.Next(5) == 0;
        span.Status = failed ? new Status { Code = Status.Types.StatusCode.Error, Message = "429 Too Many Requests" } : new Status();
        span.Attributes.Add(Str("gen_ai.operation.name", "chat"));
        span.Attributes.Add(Str("gen_ai.provider.name", providers[random.Next(providers.Length)]));
        span.Attributes.Add(Str("gen_ai.request.model", model));
        span.Attributes.Add(new KeyValue { Key = "gen_ai.request.temperature", Value = new AnyValue { DoubleValue = 0.2 + (random.Next(8) / 10.0) } });
        span.Attributes.Add(new KeyValue { Key = "gen_ai.request.max_tokens", Value = new AnyValue { IntValue = 1024 } });
        span.Attributes.Add(Str("gen_ai.conversation.id", "conv_" + random.Next(1000)));
        span.Attributes.Add(Str("server.address", "api.example.com"));
        span.Attributes.Add(new KeyValue { Key = "server.port", Value = new AnyValue { IntValue = 443 } });
        span.Attributes.Add(Str("user.id", "user_" + random.Next(50)));
        span.Attributes.Add(new KeyValue { Key = "gen_ai.usage.input_tokens", Value = new AnyValue { IntValue = random.Next(4000) } });
        if (failed)
        {
            span.Attributes.Add(Str("error.type", "429"));
        }
        else
        {
            span.Attributes.Add(Str("gen_ai.response.model", model + "-2025"));
            span.Attributes.Add(Str("gen_ai.response.id", "chatcmpl-" + random.Next()));
            span.Attributes.Add(new KeyValue { Key = "gen_ai.usage.output_tokens", Value = new AnyValue { IntValue = random.Next(800) } });
            var reasons = new ArrayValue();
            reasons.Values.Add(new AnyValue { StringValue = random.Next(3) == 0 ? "end_turn" : "stop" });
            span.Attributes.Add(new KeyValue { Key = "gen_ai.response.finish_reasons", Value = new AnyValue { ArrayValue = reasons } });
        }

        if (content)
        {
            span.Attributes.Add(Str("gen_ai.system_instructions", "[{\"type\":\"text\",\"content\":\"Be brief \\u00e9.\"}]"));
            span.Attributes.Add(Str("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Where is my \\\"order\\\"? \u4e2d\"}]}]"));
            if (!failed)
            {
                span.Attributes.Add(Str("gen_ai.output.messages", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"On its way.\"}],\"finish_reason\":\"stop\"}]"));
            }
        }

        return span;
    }

    private static Span NewSpan(string name, int seed) => new()
    {
        TraceId = Id(16, seed),
        SpanId = Id(8, seed + 1),
        Name = name,
        Kind = Span.Types.SpanKind.Internal,
        StartTimeUnixNano = 1_700_000_000_000_000_000UL + (ulong)(seed & 0xFFFF),
        EndTimeUnixNano = 1_700_000_001_000_000_000UL,
    };

    private static ExportTraceServiceRequest Request(Resource resource, InstrumentationScope scope, params Span[] spans)
    {
        var ss = new ScopeSpans { Scope = scope };
        ss.Spans.Add(spans);
        return new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = resource, ScopeSpans = { ss } } } };
    }

    private static AnyValue Nested(Random random, int depth)
    {
        if (depth == 0)
        {
            return new AnyValue { StringValue = RandomText(random, 5) };
        }

        var list = new KeyValueList();
        list.Values.Add(new KeyValue { Key = "d" + depth, Value = Nested(random, depth - 1) });
        var array = new ArrayValue();
        array.Values.Add(new AnyValue { IntValue = depth });
        array.Values.Add(new AnyValue { KvlistValue = list });
        array.Values.Add(new AnyValue());
        return new AnyValue { ArrayValue = array };
    }

    private static ByteString Id(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }

    private static KeyValue Str(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static byte[] DeepValue(int depth)
    {
        var value = Len(1, "leaf"u8.ToArray());
        for (var i = 0; i < depth; i++)
        {
            value = Len(5, Len(1, value));
        }

        return value;
    }

    /// <summary>A request of one resource, one scope and this one span, given as raw span bytes.</summary>
    private static byte[] Wrap(byte[] span) => Len(1, Len(2, Len(2, span)));

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Tag(int field, int wireType) => VarintBytes(((ulong)field << 3) | (uint)wireType);

    private static byte[] Varint(int field, ulong value) => [.. Tag(field, 0), .. VarintBytes(value)];

    private static byte[] Fixed64(int field, ulong value) => [.. Tag(field, 1), .. BitConverter.GetBytes(value)];

    private static byte[] Fixed32(int field, uint value) => [.. Tag(field, 5), .. BitConverter.GetBytes(value)];

    private static byte[] Len(int field, byte[] payload) => [.. Tag(field, 2), .. VarintBytes((ulong)payload.Length), .. payload];

    private static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }
}
