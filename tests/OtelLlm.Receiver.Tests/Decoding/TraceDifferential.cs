using System.Diagnostics.Metrics;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Receiver.Configuration;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.RowEncoding;
using OtelLlm.Receiver.Tests.Normalization;

namespace OtelLlm.Receiver.Tests.Decoding;

/// <summary>
/// Runs one request through both trace paths — Google.Protobuf objects into the reference encoder, and the
/// span-at-a-time reader over the raw bytes — each with its own fresh normalizer, and compares every table's
/// RowBinary byte for byte, plus the span counts and the partial-success message. The reference path's
/// <c>otel_traces</c> rows are also compared with an independent writer from the decoded objects
/// (<see cref="TraceRowOracle"/>).
/// </summary>
internal static class TraceDifferential
{
    public const string Project = "proj";

    /// <summary>The attribute value limit both paths run with: the receiver's default.</summary>
    public static readonly int MaxValueBytes = new ReceiverOptions().MaxAttributeValueBytes;

    private static readonly ServiceProvider s_services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    /// <summary>How the span-at-a-time reader took the request.</summary>
    public enum Outcome
    {
        /// <summary>Read by the span-at-a-time reader itself.</summary>
        FastPath,

        /// <summary>Handed to the reference decoder (and still identical rows).</summary>
        FellBack,

        /// <summary>Not valid protobuf: both paths refused it with <see cref="InvalidProtocolBufferException"/>.</summary>
        Invalid,
    }

    public static Outcome AssertSameRows(ExportTraceServiceRequest request, GenAiNormalizationOptions? options = null, ModelPriceTable? prices = null)
        => AssertSameRows(request.ToByteArray(), options, prices);

    public static Outcome AssertSameRows(byte[] bytes, GenAiNormalizationOptions? options = null, ModelPriceTable? prices = null)
    {
        options ??= new GenAiNormalizationOptions();
        prices ??= ModelPriceTable.Default;

        ExportTraceServiceRequest parsed;
        try
        {
            parsed = ExportTraceServiceRequest.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            var rows = new EncodedRequest();
            try
            {
                using var normalizer = NewNormalizer(options, prices);
                Assert.Throws<InvalidProtocolBufferException>(() => NewIngestor(normalizer).Encode(Project, bytes, ref rows));
            }
            finally
            {
                rows.Dispose();
            }

            return Outcome.Invalid;
        }

        using var referenceNormalizer = NewNormalizer(options, prices);
        using var reference = new EncodedRequest();
        var expected = NewIngestor(referenceNormalizer).Encode(Project, TraceRows.Parser.ParseFrom(bytes), reference);
        AssertSameBytes("otel_traces (independent writer)", TraceRowOracle.Rows(parsed, MaxValueBytes), reference.Bytes(TableId.Traces).ToArray());

        // The reader on its own: either it reads the request or it refuses before the normalizer saw anything.
        var outcome = Outcome.FastPath;
        using (var fastNormalizer = NewNormalizer(options, prices))
        using (var fast = new EncodedRequest())
        {
            try
            {
                var actual = ProtobufTraceEncoder.Encode(Project, bytes, fast, fastNormalizer, MaxValueBytes);
                AssertEqual(expected, reference, actual, fast);
            }
            catch (ProtoWireException)
            {
                outcome = Outcome.FellBack;
            }
        }

        // And what the receiver runs: the reader, or the fallback into a fresh output.
        using var ingestorNormalizer = NewNormalizer(options, prices);
        var output = new EncodedRequest();
        try
        {
            var counts = NewIngestor(ingestorNormalizer).Encode(Project, bytes, ref output);
            AssertEqual(expected, reference, counts, output);
        }
        finally
        {
            output.Dispose();
        }

        return outcome;
    }

    /// <summary>The reference path with normalization off.</summary>
    public static EncodedCounts ReferenceWithoutNormalization(byte[] bytes, EncodedRequest rows)
        => NewIngestor(null).Encode(Project, TraceRows.Parser.ParseFrom(bytes), rows);

    private static void AssertEqual(EncodedCounts expected, EncodedRequest reference, EncodedCounts actual, EncodedRequest fast)
    {
        Assert.Equal(expected, actual);
        for (var table = 0; table < Tables.Count; table++)
        {
            var id = (TableId)table;
            Assert.Equal(reference.Rows(id), fast.Rows(id));
            AssertSameBytes(Tables.Names[table], reference.Bytes(id).ToArray(), fast.Bytes(id).ToArray());
        }
    }

    private static void AssertSameBytes(string what, byte[] want, byte[] got)
    {
        if (!want.AsSpan().SequenceEqual(got))
        {
            var at = 0;
            while (at < want.Length && at < got.Length && want[at] == got[at])
            {
                at++;
            }

            Assert.Fail($"{what}: {want.Length} expected bytes, {got.Length} bytes, first difference at byte {at}");
        }
    }

    private static GenAiNormalizer NewNormalizer(GenAiNormalizationOptions options, ModelPriceTable prices)
        => new(options, s_services.GetRequiredService<IMeterFactory>(), NullLogger.Instance, new ManualClock(), prices);

    private static TraceRows NewIngestor(IGenAiNormalizer? normalizer)
        => new(normalizer, MaxValueBytes, new ReceiverMetrics(s_services.GetRequiredService<IMeterFactory>()));
}
