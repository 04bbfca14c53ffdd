using System.Diagnostics.Metrics;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OtelLlm.Semantics.Pricing;
using OtelLlm.Receiver.Decoding;
using OtelLlm.Receiver.Normalization;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.Tests.Normalization;

namespace OtelLlm.Receiver.Tests.Decoding;

/// <summary>
/// Runs one request through both trace paths — Google.Protobuf objects into the reference encoder, and the
/// span-at-a-time reader over the raw bytes — each with its own fresh normalizer, and compares every table's
/// RowBinary byte for byte, plus the span counts and the partial-success message.
/// </summary>
internal static class TraceDifferential
{
    public const string Project = "proj";

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
                Assert.Throws<InvalidProtocolBufferException>(() => NewIngestor(normalizer).EncodeTraces(Project, bytes, ref rows));
            }
            finally
            {
                rows.Dispose();
            }

            return Outcome.Invalid;
        }

        using var referenceNormalizer = NewNormalizer(options, prices);
        using var reference = new EncodedRequest();
        var expected = NewIngestor(referenceNormalizer).EncodeTraces(Project, parsed, reference);

        // The reader on its own: either it reads the request or it refuses before the normalizer saw anything.
        var outcome = Outcome.FastPath;
        using (var fastNormalizer = NewNormalizer(options, prices))
        using (var fast = new EncodedRequest())
        {
            try
            {
                var actual = ProtobufTraceEncoder.Encode(Project, bytes, fast, fastNormalizer);
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
            var counts = NewIngestor(ingestorNormalizer).EncodeTraces(Project, bytes, ref output);
            AssertEqual(expected, reference, counts, output);
        }
        finally
        {
            output.Dispose();
        }

        return outcome;
    }

    /// <summary>The reference path with normalization off.</summary>
    public static (long Total, long Rejected, string Error) ReferenceWithoutNormalization(byte[] bytes, EncodedRequest rows)
        => NewIngestor(new NullGenAiNormalizer()).EncodeTraces(Project, ExportTraceServiceRequest.Parser.ParseFrom(bytes), rows);

    private static void AssertEqual((long Total, long Rejected, string Error) expected, EncodedRequest reference, (long Total, long Rejected, string Error) actual, EncodedRequest fast)
    {
        Assert.Equal(expected, actual);
        for (var table = 0; table < Tables.Count; table++)
        {
            var id = (TableId)table;
            Assert.Equal(reference.Rows(id), fast.Rows(id));
            var want = reference.Bytes(id).ToArray();
            var got = fast.Bytes(id).ToArray();
            if (!want.AsSpan().SequenceEqual(got))
            {
                var at = 0;
                while (at < want.Length && at < got.Length && want[at] == got[at])
                {
                    at++;
                }

                Assert.Fail($"{Tables.Names[table]}: {want.Length} reference bytes, {got.Length} span-at-a-time bytes, first difference at byte {at}");
            }
        }
    }

    private static GenAiNormalizer NewNormalizer(GenAiNormalizationOptions options, ModelPriceTable prices)
        => new(options, s_services.GetRequiredService<IMeterFactory>(), NullLogger.Instance, new ManualClock(), prices);

    private static OtlpIngestor NewIngestor(IGenAiNormalizer normalizer)
    {
        var meters = s_services.GetRequiredService<IMeterFactory>();
        var metrics = new ReceiverMetrics(meters);
        var pipeline = new TelemetryPipeline(new DiscardingWriter(), Options.Create(new ReceiverOptions()), metrics, NullLogger<TelemetryPipeline>.Instance);
        return new OtlpIngestor(pipeline, normalizer, metrics);
    }

    private sealed class DiscardingWriter : IBatchWriter
    {
        public Task WriteAsync(string table, string columns, ReadOnlyMemory<byte> rowBinary, int rowCount, CancellationToken ct) => Task.CompletedTask;
    }
}
