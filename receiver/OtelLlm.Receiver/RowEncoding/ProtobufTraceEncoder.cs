using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OpenTelemetry.Proto.Trace.V1;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtlpEvent = OpenTelemetry.Proto.Trace.V1.Span.Types.Event;
using OtlpLink = OpenTelemetry.Proto.Trace.V1.Span.Types.Link;

namespace OtelLlm.Receiver.RowEncoding;

/// <summary>
/// The receiver's one writer of <c>otel_traces</c> rows: reads an <c>ExportTraceServiceRequest</c>'s protobuf bytes
/// field by field and writes each span's row (in <see cref="TraceColumns"/>' layout) straight from the UTF-8 slices, with
/// no message objects and no strings for values that are only copied. Only spans that carry GenAI vocabulary
/// (<see cref="GenAiSpanFilter"/>) are materialized for the normalizer (<see cref="SpanMaterializer"/>, one recycled
/// object graph per thread), after the whole request has been read.
/// </summary>
/// <remarks>
/// Input this reader does not handle exactly as Google.Protobuf would — malformed or unusual wire data, invalid
/// UTF-8, a message field given twice (protobuf merges those), nesting deeper than <see cref="MaxDepth"/> — throws
/// <see cref="ProtoWireException"/> before anything is normalized, and the caller takes the reference path: the request
/// decoded by Google.Protobuf, whose own bytes for it come back here (see <see cref="TraceRows"/>).
/// </remarks>
internal static class ProtobufTraceEncoder
{
    /// <summary>
    /// AnyValue nesting handled on raw input; deeper values go to the reference path. Google.Protobuf refuses messages
    /// nested more than 100 deep, and each level here is up to three messages (AnyValue, KeyValueList, KeyValue) below
    /// the six above a link's attribute value: the reader must never accept what Google.Protobuf would refuse.
    /// </summary>
    public const int MaxDepth = 25;

    private static readonly Resource s_emptyResource = new();
    private static readonly InstrumentationScope s_emptyScope = new();

    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>
    /// Encodes the request's spans into <paramref name="output"/> (and their <c>llm_calls</c> rows, when
    /// <paramref name="normalizer"/> makes any; <see langword="null"/> writes spans only), cutting attribute values at
    /// <paramref name="maxValueBytes"/> UTF-8 bytes (0 or less: no limit).
    /// </summary>
    /// <remarks>
    /// <paramref name="maxDepth"/> is the AnyValue nesting read here: <see cref="MaxDepth"/> for raw input,
    /// <see cref="AnyValueText.Unlimited"/> for bytes Google.Protobuf wrote for a request it decoded.
    /// </remarks>
    /// <exception cref="ProtoWireException">The request needs the reference path; <paramref name="output"/> holds partial rows and the normalizer has seen nothing.</exception>
    /// <exception cref="Google.Protobuf.InvalidProtocolBufferException">A resource or scope is not valid protobuf (so neither is the request).</exception>
    public static EncodedCounts Encode(string project, ReadOnlySpan<byte> request, EncodedRequest output, IGenAiNormalizer? normalizer, int maxValueBytes, int maxDepth = MaxDepth)
    {
        var scratch = t_scratch ??= new Scratch();
        scratch.Clear();
        var state = new State(project, request, output, scratch, normalizer is not null, maxValueBytes, maxDepth);
        try
        {
            var children = new Repeated(request, ExportTraceServiceRequest.ResourceSpansFieldNumber);
            while (children.Next(out var child))
            {
                EncodeResourceSpans(ref state, child);
            }

            // The whole request was read without a reason to fall back: only now may the normalizer see spans
            // (it keeps state for the content join and counts metrics, so it must see each span exactly once).
            var spans = scratch.GenAiSpans;
            for (var i = 0; i < spans.Count; i++)
            {
                var (start, length, context) = spans[i];
                var (resource, scope) = scratch.Contexts[context];
                var span = scratch.Spans.Build(request.Slice(start, length));
                if (normalizer!.NormalizeSpan(project, resource, scope, span) is { } call)
                {
                    call.Write(output.Writer(TableId.LlmCalls));
                    output.RowWritten(TableId.LlmCalls);
                }
            }

            return new EncodedCounts(state.Total, state.Rejected, state.Error ?? string.Empty);
        }
        finally
        {
            scratch.Clear();
        }
    }

    private static void EncodeResourceSpans(ref State state, ReadOnlySpan<byte> message)
    {
        var hasResource = ReadGroupHeader(message, out var resourceBytes, out var schemaUrl);
        var resource = hasResource ? Resource.Parser.ParseFrom(resourceBytes) : s_emptyResource;

        // ServiceName, ResourceSchemaUrl and the resource attributes are the same for every span of this resource:
        // encoded once and copied into each row.
        var columns = state.Scratch.Resource;
        columns.Start();
        columns.Blob.WriteString(RowValues.ServiceName(resource));
        columns.EndColumn();
        columns.Blob.WriteStringBytes(schemaUrl);
        columns.EndColumn();
        var attributes = AnyValueText.Flatten(resource.Attributes, state.MaxValueBytes);
        columns.Blob.WriteStringArray(attributes.Keys);
        columns.Blob.WriteStringArray(attributes.Values);
        columns.EndColumn();

        var children = new Repeated(message, ResourceSpans.ScopeSpansFieldNumber);
        while (children.Next(out var child))
        {
            EncodeScopeSpans(ref state, resource, child);
        }
    }

    private static void EncodeScopeSpans(ref State state, Resource resource, ReadOnlySpan<byte> message)
    {
        var hasScope = ReadGroupHeader(message, out var scopeBytes, out var schemaUrl);
        var scope = hasScope ? InstrumentationScope.Parser.ParseFrom(scopeBytes) : s_emptyScope;
        var columns = state.Scratch.Scope;
        columns.Start();
        columns.Blob.WriteString(scope.Name);
        columns.EndColumn();
        columns.Blob.WriteString(scope.Version);
        columns.EndColumn();
        columns.Blob.WriteStringBytes(schemaUrl);
        columns.EndColumn();
        state.Context = -1;
        state.Resource = resource;
        state.InstrumentationScope = scope;

        var children = new Repeated(message, ScopeSpans.SpansFieldNumber);
        while (children.Next(out var child))
        {
            EncodeSpan(ref state, child);
        }
    }

    /// <summary>
    /// Reads the fields ResourceSpans and ScopeSpans share under the same numbers (the resource or scope, the repeated
    /// children, skipped here, and schema_url) and says whether the first was present. A second one needs the reference path.
    /// </summary>
    private static bool ReadGroupHeader(ReadOnlySpan<byte> message, out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> schemaUrl)
    {
        first = default;
        schemaUrl = default;
        var hasFirst = false;
        var reader = new ProtoWireReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case ResourceSpans.ResourceFieldNumber or ScopeSpans.ScopeFieldNumber:
                    if (hasFirst)
                    {
                        throw new ProtoWireException();
                    }

                    hasFirst = true;
                    first = reader.ReadLengthDelimited(wireType);
                    break;
                case ResourceSpans.ScopeSpansFieldNumber or ScopeSpans.SpansFieldNumber or ResourceSpans.SchemaUrlFieldNumber or ScopeSpans.SchemaUrlFieldNumber:
                    var value = reader.ReadLengthDelimited(wireType);
                    if (field is ResourceSpans.SchemaUrlFieldNumber or ScopeSpans.SchemaUrlFieldNumber)
                    {
                        schemaUrl = value;
                    }

                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        AnyValueText.ValidateUtf8(schemaUrl);
        return hasFirst;
    }

    private static void EncodeSpan(ref State state, ReadOnlySpan<byte> message)
    {
        var span = new WireSpan(ref state, message);
        var reader = new ProtoWireReader(message);
        var mayBeGenAi = false;
        var hasStatus = false;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case Span.TraceIdFieldNumber: span.TraceId = reader.ReadLengthDelimited(wireType); break;
                case Span.SpanIdFieldNumber: span.SpanId = reader.ReadLengthDelimited(wireType); break;
                case Span.TraceStateFieldNumber: span.TraceState = reader.ReadLengthDelimited(wireType); break;
                case Span.ParentSpanIdFieldNumber: span.ParentSpanId = reader.ReadLengthDelimited(wireType); break;
                case Span.NameFieldNumber: span.Name = reader.ReadLengthDelimited(wireType); break;
                case Span.KindFieldNumber: span.Kind = unchecked((int)reader.ReadVarint(wireType)); break;
                case Span.StartTimeUnixNanoFieldNumber: span.StartTimeUnixNano = reader.ReadFixed64(wireType); break;
                case Span.EndTimeUnixNanoFieldNumber: span.EndTimeUnixNano = reader.ReadFixed64(wireType); break;
                case Span.AttributesFieldNumber:
                    span.AttributeCount++;
                    var pair = reader.ReadLengthDelimited(wireType);
                    mayBeGenAi = mayBeGenAi || (state.Normalizing && GenAiSpanFilter.IsGenAiKey(AnyValueText.KeyOf(pair)));
                    break;
                case Span.DroppedAttributesCountFieldNumber: span.DroppedAttributesCount = unchecked((uint)reader.ReadVarint(wireType)); break;
                case Span.EventsFieldNumber:
                    span.EventCount++;
                    reader.ReadLengthDelimited(wireType);
                    break;
                case Span.DroppedEventsCountFieldNumber: span.DroppedEventsCount = unchecked((uint)reader.ReadVarint(wireType)); break;
                case Span.LinksFieldNumber:
                    span.LinkCount++;
                    reader.ReadLengthDelimited(wireType);
                    break;
                case Span.DroppedLinksCountFieldNumber: span.DroppedLinksCount = unchecked((uint)reader.ReadVarint(wireType)); break;
                case Span.StatusFieldNumber:
                    if (hasStatus)
                    {
                        throw new ProtoWireException();
                    }

                    hasStatus = true;
                    span.ReadStatus(reader.ReadLengthDelimited(wireType));
                    break;
                case Span.FlagsFieldNumber: span.TraceFlags = reader.ReadFixed32(wireType); break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        AnyValueText.ValidateUtf8(span.TraceState);
        AnyValueText.ValidateUtf8(span.Name);
        state.Total++;
        if (!OtlpIds.AreValid(span.TraceId.Length, span.SpanId.Length, span.ParentSpanId.Length))
        {
            // Rare: let Google.Protobuf check the rest of the span exactly as the reference path would.
            var parsed = Span.Parser.ParseFrom(message);
            state.Rejected++;
            state.Error ??= string.Create(
                CultureInfo.InvariantCulture,
                $"span '{parsed.Name}' has a trace id of {span.TraceId.Length} bytes, span id of {span.SpanId.Length} bytes and parent span id of {span.ParentSpanId.Length} bytes; they must be 16, 8 and 0 or 8");
            return;
        }

        TraceColumns.Write(state.Output.Writer(TableId.Traces), ref span);
        state.Output.RowWritten(TableId.Traces);

        if (mayBeGenAi)
        {
            if (state.Context < 0)
            {
                state.Context = state.Scratch.Contexts.Count;
                state.Scratch.Contexts.Add((state.Resource!, state.InstrumentationScope!));
            }

            var offset = (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(state.Request), ref MemoryMarshal.GetReference(message));
            state.Scratch.GenAiSpans.Add((offset, message.Length, state.Context));
        }
    }

    /// <summary>Lowercase hex as <see cref="OtlpIds.Hex"/> writes it; empty for an absent id.</summary>
    private static void WriteHex(RowBinaryWriter w, ReadOnlySpan<byte> id)
    {
        if (id.Length > 64)
        {
            w.WriteString(Convert.ToHexStringLower(id));
            return;
        }

        Span<byte> hex = stackalloc byte[128];
        Convert.TryToHexStringLower(id, hex, out var written);
        w.WriteStringBytes(hex[..written]);
    }

    /// <summary>
    /// One span's values as the bytes hold them, for <see cref="TraceColumns"/>: the header fields read in one pass, the
    /// repeated ones (attributes, events, links) read again column by column as the row is written.
    /// </summary>
    private ref struct WireSpan : ITraceColumnValues
    {
        public ReadOnlySpan<byte> TraceId;
        public ReadOnlySpan<byte> SpanId;
        public ReadOnlySpan<byte> ParentSpanId;
        public ReadOnlySpan<byte> TraceState;
        public ReadOnlySpan<byte> Name;
        public int Kind;
        public int AttributeCount;
        public int EventCount;
        public int LinkCount;

        private readonly ReadOnlySpan<byte> _message;
        private readonly ColumnBlob _resource;
        private readonly ColumnBlob _scope;
        private readonly int _maxValueBytes;
        private readonly int _maxDepth;
        private ReadOnlySpan<byte> _statusMessage;

        public WireSpan(ref State state, ReadOnlySpan<byte> message)
        {
            Project = state.Project;
            _message = message;
            _resource = state.Scratch.Resource;
            _scope = state.Scratch.Scope;
            _maxValueBytes = state.MaxValueBytes;
            _maxDepth = state.MaxDepth;
            StatusCode = RowValues.StatusText(Status.Types.StatusCode.Unset);
        }

        public string Project { get; }

        public ulong StartTimeUnixNano { get; set; }

        public ulong EndTimeUnixNano { get; set; }

        public uint TraceFlags { get; set; }

        public readonly string SpanKind => RowValues.SpanKindText((Span.Types.SpanKind)Kind);

        public string StatusCode { get; private set; }

        public uint DroppedAttributesCount { get; set; }

        public uint DroppedEventsCount { get; set; }

        public uint DroppedLinksCount { get; set; }

        public void ReadStatus(ReadOnlySpan<byte> status)
        {
            var code = 0;
            var reader = new ProtoWireReader(status);
            while (reader.TryReadTag(out var field, out var wireType))
            {
                switch (field)
                {
                    case Status.MessageFieldNumber: _statusMessage = reader.ReadLengthDelimited(wireType); break;
                    case Status.CodeFieldNumber: code = unchecked((int)reader.ReadVarint(wireType)); break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }

            StatusCode = RowValues.StatusText((Status.Types.StatusCode)code);
        }

        public readonly void WriteTraceId(RowBinaryWriter w) => WriteHex(w, TraceId);

        public readonly void WriteSpanId(RowBinaryWriter w) => WriteHex(w, SpanId);

        public readonly void WriteParentSpanId(RowBinaryWriter w) => WriteHex(w, ParentSpanId);

        public readonly void WriteTraceState(RowBinaryWriter w) => w.WriteStringBytes(TraceState);

        public readonly void WriteSpanName(RowBinaryWriter w) => w.WriteStringBytes(Name);

        public readonly void WriteServiceName(RowBinaryWriter w) => w.WriteRaw(_resource.Column(0));

        public readonly void WriteResourceSchemaUrl(RowBinaryWriter w) => w.WriteRaw(_resource.Column(1));

        public readonly void WriteResourceAttributes(RowBinaryWriter w) => w.WriteRaw(_resource.Column(2));

        public readonly void WriteScopeName(RowBinaryWriter w) => w.WriteRaw(_scope.Column(0));

        public readonly void WriteScopeVersion(RowBinaryWriter w) => w.WriteRaw(_scope.Column(1));

        public readonly void WriteScopeSchemaUrl(RowBinaryWriter w) => w.WriteRaw(_scope.Column(2));

        public readonly void WriteStatusMessage(RowBinaryWriter w)
        {
            AnyValueText.ValidateUtf8(_statusMessage);
            w.WriteStringBytes(_statusMessage);
        }

        public readonly void WriteSpanAttributes(RowBinaryWriter w)
        {
            // SpanAttributes.Key, then SpanAttributes.Value: one pass over the span each.
            for (var column = 0; column < 2; column++)
            {
                w.WriteArrayLength(AttributeCount);
                var pairs = new Repeated(_message, Span.AttributesFieldNumber, AttributeCount);
                while (pairs.Next(out var pair))
                {
                    if (column == 0)
                    {
                        var key = AnyValueText.KeyOf(pair);
                        AnyValueText.ValidateUtf8(key);
                        w.WriteStringBytes(key);
                    }
                    else
                    {
                        var value = AnyValueText.ValueOf(pair, out var hasValue);
                        AnyValueText.WriteText(w, value, hasValue, _maxValueBytes, _maxDepth);
                    }
                }
            }
        }

        public readonly void WriteEvents(RowBinaryWriter w) => WriteNested(w, Span.EventsFieldNumber, EventCount, s_eventColumns);

        public readonly void WriteLinks(RowBinaryWriter w) => WriteNested(w, Span.LinksFieldNumber, LinkCount, s_linkColumns);

        // Nested columns (Events.*, Links.*) are written column by column: one pass over the span's events or links each.
        private readonly void WriteNested(RowBinaryWriter w, int field, int count, NestedColumn[] columns)
        {
            foreach (var column in columns)
            {
                w.WriteArrayLength(count);
                var items = new Repeated(_message, field, count);
                while (items.Next(out var item))
                {
                    WriteNestedValue(w, item, column, _maxValueBytes, _maxDepth);
                }
            }
        }
    }

    /// <summary>One column of a nested table: the field of the event or link it holds, and how that field is written.</summary>
    private readonly record struct NestedColumn(int Field, NestedKind Kind);

    private enum NestedKind
    {
        Fixed64,
        Hex,
        Text,
        Attributes,
    }

    private static readonly NestedColumn[] s_eventColumns =
    [
        new(OtlpEvent.TimeUnixNanoFieldNumber, NestedKind.Fixed64),
        new(OtlpEvent.NameFieldNumber, NestedKind.Text),
        new(OtlpEvent.AttributesFieldNumber, NestedKind.Attributes),
    ];

    private static readonly NestedColumn[] s_linkColumns =
    [
        new(OtlpLink.TraceIdFieldNumber, NestedKind.Hex),
        new(OtlpLink.SpanIdFieldNumber, NestedKind.Hex),
        new(OtlpLink.TraceStateFieldNumber, NestedKind.Text),
        new(OtlpLink.AttributesFieldNumber, NestedKind.Attributes),
    ];

    /// <summary>One event's or link's value of <paramref name="column"/>: the field's last occurrence, or all its attributes.</summary>
    private static void WriteNestedValue(RowBinaryWriter w, ReadOnlySpan<byte> item, NestedColumn column, int maxValueBytes, int maxDepth)
    {
        ulong number = 0;
        ReadOnlySpan<byte> bytes = default;
        var occurrences = 0;
        var reader = new ProtoWireReader(item);
        while (reader.TryReadTag(out var f, out var wt))
        {
            if (f != column.Field)
            {
                reader.Skip(wt);
            }
            else if (column.Kind == NestedKind.Fixed64)
            {
                number = reader.ReadFixed64(wt);
            }
            else
            {
                bytes = reader.ReadLengthDelimited(wt);
                occurrences++;
            }
        }

        switch (column.Kind)
        {
            case NestedKind.Fixed64: w.WriteUInt64(number); break;
            case NestedKind.Hex: WriteHex(w, bytes); break;
            case NestedKind.Text:
                AnyValueText.ValidateUtf8(bytes);
                w.WriteStringBytes(bytes);
                break;
            default:
                AnyValueText.WriteJsonObjectText(w, item, column.Field, occurrences, maxValueBytes, maxDepth);
                break;
        }
    }

    /// <summary>The payloads of one repeated message field, in order.</summary>
    private ref struct Repeated
    {
        private readonly int _number;
        private ProtoWireReader _reader;

        public Repeated(ReadOnlySpan<byte> message, int number)
        {
            _number = number;
            _reader = new ProtoWireReader(message);
        }

        /// <summary>The same over a span whose fields were counted: reads nothing when it has none.</summary>
        public Repeated(ReadOnlySpan<byte> message, int number, int count)
            : this(count == 0 ? default : message, number)
        {
        }

        public bool Next(out ReadOnlySpan<byte> payload)
        {
            while (_reader.TryReadTag(out var f, out var wireType))
            {
                if (f == _number)
                {
                    payload = _reader.ReadLengthDelimited(wireType);
                    return true;
                }

                _reader.Skip(wireType);
            }

            payload = default;
            return false;
        }
    }

    private ref struct State(string project, ReadOnlySpan<byte> request, EncodedRequest output, Scratch scratch, bool normalizing, int maxValueBytes, int maxDepth)
    {
        public readonly string Project = project;
        public readonly ReadOnlySpan<byte> Request = request;
        public readonly EncodedRequest Output = output;
        public readonly Scratch Scratch = scratch;
        public readonly bool Normalizing = normalizing;
        public readonly int MaxValueBytes = maxValueBytes;
        public readonly int MaxDepth = maxDepth;
        public long Total;
        public long Rejected;
        public string? Error;
        public int Context;
        public Resource? Resource;
        public InstrumentationScope? InstrumentationScope;
    }

    /// <summary>Columns encoded once per resource or scope and copied into each of its spans' rows.</summary>
    private sealed class ColumnBlob(int capacity)
    {
        private readonly int[] _ends = new int[3];
        private int _columns;

        public RowBinaryWriter Blob { get; } = new(capacity);

        public void Start()
        {
            Blob.Reset();
            _columns = 0;
        }

        public void EndColumn() => _ends[_columns++] = Blob.Length;

        public ReadOnlySpan<byte> Column(int index)
        {
            var start = index == 0 ? 0 : _ends[index - 1];
            return Blob.WrittenSpan[start.._ends[index]];
        }
    }

    /// <summary>Per-thread buffers reused by every request (encoding never awaits, so one thread serves one request at a time).</summary>
    private sealed class Scratch
    {
        public ColumnBlob Resource { get; } = new(1024);

        public ColumnBlob Scope { get; } = new(256);

        /// <summary>Where each GenAI span's bytes are in the request, and its resource and scope.</summary>
        public List<(int Start, int Length, int Context)> GenAiSpans { get; } = [];

        public SpanMaterializer Spans { get; } = new();

        public List<(Resource Resource, InstrumentationScope Scope)> Contexts { get; } = [];

        public void Clear()
        {
            GenAiSpans.Clear();
            Contexts.Clear();
        }
    }
}
