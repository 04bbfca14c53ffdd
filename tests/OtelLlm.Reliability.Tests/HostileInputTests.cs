using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Common.V1;
using OtelLlm.Receiver.Pipeline.Reliability;
using OtelLlm.TestSupport;
using Xunit.Abstractions;

namespace OtelLlm.Reliability.Tests;

/// <summary>
/// Mutated, truncated, oversized-nesting and mistyped input against the real receiver: every answer is a success or a
/// clear client error (HTTP 4xx, a gRPC status), memory stays bounded, and good data still gets in afterwards.
/// </summary>
[Collection(ProcessMemoryGroup.Name)]
public sealed class HostileInputTests(ClickHouseDatabase database, ITestOutputHelper output) : IClassFixture<ClickHouseDatabase>
{
    private const int Seed = 20240607;
    private const int ProtobufCases = 1500;
    private const int JsonCases = 1000;
    private const int GrpcCases = 1000;
    private static readonly int[] s_grpcCodes = [0, 3, 8, 12, 13];

    // An accepted request is answered once ClickHouse has stored it, which takes what a busy server takes; a hang
    // (the failure this watches for) lasts longer than any of that.
    private static readonly TimeSpan s_answerTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Export_MutatedProtobufJsonAndGrpcFrames_NeverServerErrorAndGoodDataStillStored()
    {
        await using var receiver = await ReceiverUnderTest.StartAsync(database.Url, database.Name, ["--OtelLlm:Receiver:BatchMaxDelayMilliseconds=20"]);
        using var http = new HttpClient { Timeout = s_answerTimeout };
        using var grpc = ReceiverUnderTest.CreateGrpcClient();
        grpc.Timeout = s_answerTimeout;
        var httpUrl = new Uri($"http://127.0.0.1:{receiver.HttpPort}/v1/traces");
        var grpcUrl = new Uri($"http://127.0.0.1:{receiver.GrpcPort}/opentelemetry.proto.collector.trace.v1.TraceService/Export");
        var protobuf = Load.GenAiSpans("hostile-base", 0, 3).ToByteArray();
        var json = Load.JsonSpans("hostile-base", 10, 3);
        var grpcFrame = Load.GrpcFrame(protobuf);
        var random = new Random(Seed);
        var cases = new List<(string Kind, byte[] Body)>();
        for (var i = 0; i < ProtobufCases; i++)
        {
            cases.Add(("protobuf", Mutate(protobuf, random)));
        }

        for (var i = 0; i < JsonCases; i++)
        {
            cases.Add(("json", Mutate(json, random)));
        }

        for (var i = 0; i < GrpcCases; i++)
        {
            cases.Add(("grpc", Mutate(grpcFrame, random)));
        }

        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var outcomes = new Dictionary<string, int>();
        var failures = new List<string>();
        var next = -1;
        var workers = Enumerable.Range(0, 6).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < cases.Count)
            {
                var (kind, body) = cases[i];
                var outcome = kind == "grpc" ? await SendGrpcAsync(grpc, grpcUrl, body) : await SendHttpAsync(http, httpUrl, body, kind == "json");
                lock (outcomes)
                {
                    outcomes[outcome.Label] = outcomes.GetValueOrDefault(outcome.Label) + 1;
                    if (!outcome.Acceptable && failures.Count < 10)
                    {
                        failures.Add($"case {i} ({kind}): {outcome.Label} {outcome.Detail} body={Convert.ToHexString(body.AsSpan(0, Math.Min(body.Length, 64)))}");
                    }
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);

        GC.Collect();
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        var workingSet = Process.GetCurrentProcess().WorkingSet64;
        output.WriteLine($"{cases.Count} cases (seed {Seed}): " + string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}")));
        output.WriteLine($"managed heap {memoryBefore >> 20} MiB -> {memoryAfter >> 20} MiB, working set {workingSet >> 20} MiB");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(outcomes.Keys.Any(k => k.StartsWith("http 200", StringComparison.Ordinal) || k == "grpc 0"), "no mutation was accepted: the mutator only produces garbage");
        Assert.True(outcomes.Keys.Any(k => k.StartsWith("http 400", StringComparison.Ordinal)), "no mutation was refused");
        Assert.True(memoryAfter - memoryBefore < 512L << 20, "managed memory grew by more than 512 MiB");
        Assert.True(workingSet < 4L << 30, "working set above 4 GiB");
        Assert.Equal(0, receiver.Services.GetRequiredService<ReliabilityMetrics>().DeadLetteredRows);

        using var exporter = new RetryingExporter(receiver.HttpPort, receiver.GrpcPort);
        Assert.True(await exporter.ExportAsync(Load.GenAiSpans("hostile-after", 0, 5), useGrpc: false, TimeSpan.FromSeconds(60)));
        Assert.True(await exporter.ExportAsync(Load.GenAiSpans("hostile-after", 5, 5), useGrpc: true, TimeSpan.FromSeconds(60)));
        Assert.Equal(10, await database.WaitForCountAsync("SELECT count() FROM otel_traces FINAL WHERE ServiceName = 'hostile-after'", 10, TimeSpan.FromSeconds(60)));
        Assert.Equal(10, await database.WaitForCountAsync("SELECT count() FROM llm_calls FINAL WHERE ServiceName = 'hostile-after'", 10, TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Export_TenThousandLevelsOfNesting_RefusedAsInvalidNotCrashed()
    {
        await using var receiver = await ReceiverUnderTest.StartAsync(database.Url, database.Name, []);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var grpc = ReceiverUnderTest.CreateGrpcClient();
        var httpUrl = new Uri($"http://127.0.0.1:{receiver.HttpPort}/v1/traces");
        var grpcUrl = new Uri($"http://127.0.0.1:{receiver.GrpcPort}/opentelemetry.proto.collector.trace.v1.TraceService/Export");
        foreach (var kvlist in new[] { true, false })
        {
            var deep = DeepProtobufRequest(10_000, kvlist);
            var h = await SendHttpAsync(http, httpUrl, deep, json: false);
            Assert.True(h.Label == "http 400", $"protobuf over HTTP: {h.Label} {h.Detail}");
            Assert.Contains("nest", h.Detail, StringComparison.OrdinalIgnoreCase);
            var g = await SendGrpcAsync(grpc, grpcUrl, Load.GrpcFrame(deep));
            Assert.True(g.Label == "grpc 3", $"protobuf over gRPC: {g.Label} {g.Detail}");
            var j = await SendHttpAsync(http, httpUrl, DeepJsonRequest(10_000, kvlist), json: true);
            Assert.True(j.Label == "http 400", $"JSON: {j.Label} {j.Detail}");
            Assert.Contains("depth", j.Detail, StringComparison.OrdinalIgnoreCase);
        }

        // Nesting within the limits is data like any other: stored, rendered as JSON.
        Assert.Equal("http 200", (await SendHttpAsync(http, httpUrl, DeepProtobufRequest(20, kvlist: true), json: false)).Label);
        Assert.Equal("http 200", (await SendHttpAsync(http, httpUrl, DeepJsonRequest(20, kvlist: false), json: true)).Label);
        Assert.Equal(2, await database.WaitForCountAsync("SELECT count() FROM otel_traces FINAL WHERE ServiceName = 'deep'", 2, TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Export_InvalidUtf8InStrings_StoredWithReplacementCharactersNeverServerError()
    {
        await using var receiver = await ReceiverUnderTest.StartAsync(database.Url, database.Name, []);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var grpc = ReceiverUnderTest.CreateGrpcClient();
        var httpUrl = new Uri($"http://127.0.0.1:{receiver.HttpPort}/v1/traces");
        var grpcUrl = new Uri($"http://127.0.0.1:{receiver.GrpcPort}/opentelemetry.proto.collector.trace.v1.TraceService/Export");
        var accepted = 0;
        for (var i = 0; i < 2; i++)
        {
            var request = Load.Spans("utf8", i, 1);
            request.ResourceSpans[0].ScopeSpans[0].Spans[0].Name = "NAME-MARK";
            request.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes.Add(Load.Attr("bad.value", "VALUE-MARK"));
            var bytes = request.ToByteArray();
            foreach (var mark in new[] { "NAME-MARK", "VALUE-MARK" })
            {
                var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(mark));
                bytes[at] = 0xC3;
                bytes[at + 1] = 0x28;
                bytes[at + 2] = 0xFF;
            }

            // Google.Protobuf replaces invalid sequences with U+FFFD rather than failing; either answer is fine, a 5xx is not.
            var outcome = i == 0 ? await SendHttpAsync(http, httpUrl, bytes, json: false) : await SendGrpcAsync(grpc, grpcUrl, Load.GrpcFrame(bytes));
            Assert.True(outcome.Label is "http 200" or "http 400" or "grpc 0" or "grpc 3", outcome.Label + " " + outcome.Detail);
            accepted += outcome.Label is "http 200" or "grpc 0" ? 1 : 0;
        }

        var rows = await database.QueryAsync("SELECT SpanName, SpanAttributes.Value[indexOf(SpanAttributes.Key, 'bad.value')] FROM otel_traces FINAL WHERE ServiceName = 'utf8'");
        Assert.Equal(accepted, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal("\uFFFD(\uFFFDE-MARK", row[0]);
            Assert.Equal("\uFFFD(\uFFFDUE-MARK", row[1]);
        }

        // JSON escapes can carry lone surrogates, which are not valid UTF-8 either.
        var json = Encoding.UTF8.GetString(Load.JsonSpans("utf8-json", 0, 1)).Replace("\"chat gpt-4o\"", "\"bad \\ud800 name\"", StringComparison.Ordinal);
        var jr = await SendHttpAsync(http, httpUrl, Encoding.UTF8.GetBytes(json), json: true);
        Assert.True(jr.Label is "http 200" or "http 400", jr.Label + " " + jr.Detail);
        if (jr.Label == "http 200")
        {
            var stored = await database.QueryAsync("SELECT SpanName FROM otel_traces WHERE ServiceName = 'utf8-json'");
            Assert.StartsWith("bad ", Assert.Single(stored)[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Export_GenAiAttributesOfWrongTypes_SpanAndLlmCallStored()
    {
        await using var receiver = await ReceiverUnderTest.StartAsync(database.Url, database.Name, []);
        using var exporter = new RetryingExporter(receiver.HttpPort, receiver.GrpcPort);
        AnyValue[] odd =
        [
            new() { StringValue = "12" },
            new() { StringValue = "twelve" },
            new() { DoubleValue = 12.5 },
            new() { DoubleValue = double.NaN },
            new() { ArrayValue = new ArrayValue { Values = { new AnyValue { IntValue = 1 }, new AnyValue { StringValue = "x" } } } },
            new() { KvlistValue = new KeyValueList { Values = { Load.Attr("a", 1) } } },
            new() { BoolValue = true },
            new() { BytesValue = ByteString.CopyFrom(1, 2, 3) },
            new(),
        ];
        var request = Load.GenAiSpans("wrong-types", 0, odd.Length);
        var spans = request.ResourceSpans[0].ScopeSpans[0].Spans;
        for (var i = 0; i < spans.Count; i++)
        {
            var v = odd[i];
            foreach (var kv in spans[i].Attributes)
            {
                if (kv.Key is "gen_ai.usage.input_tokens" or "gen_ai.usage.output_tokens" or "gen_ai.provider.name")
                {
                    kv.Value = v;
                }
            }

            spans[i].Attributes.Add(Load.Attr("gen_ai.request.temperature", v));
            spans[i].Attributes.Add(Load.Attr("gen_ai.request.max_tokens", v));
            spans[i].Attributes.Add(Load.Attr("gen_ai.response.finish_reasons", v));
            spans[i].Attributes.Add(Load.Attr("gen_ai.input.messages", v));
            spans[i].Attributes.Add(Load.Attr("gen_ai.usage.cache_read.input_tokens", v));
        }

        Assert.True(await exporter.ExportAsync(request, useGrpc: false, TimeSpan.FromSeconds(60)));
        Assert.Equal(odd.Length, await database.WaitForCountAsync("SELECT count() FROM otel_traces FINAL WHERE ServiceName = 'wrong-types'", odd.Length, TimeSpan.FromSeconds(60)));
        Assert.Equal(odd.Length, await database.WaitForCountAsync("SELECT count() FROM llm_calls FINAL WHERE ServiceName = 'wrong-types'", odd.Length, TimeSpan.FromSeconds(60)));
        Assert.Equal(0, receiver.Services.GetRequiredService<ReliabilityMetrics>().DeadLetteredRows);
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var bytes = new List<byte>(source);
        var steps = 1 + random.Next(3);
        for (var s = 0; s < steps && bytes.Count > 0; s++)
        {
            switch (random.Next(8))
            {
                case 0:
                    for (var f = 1 + random.Next(8); f > 0; f--)
                    {
                        var at = random.Next(bytes.Count);
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 1:
                    bytes.InsertRange(random.Next(bytes.Count + 1), RandomBytes(random, 1 + random.Next(16)));
                    break;
                case 2:
                    var start = random.Next(bytes.Count);
                    bytes.RemoveRange(start, Math.Min(bytes.Count - start, 1 + random.Next(32)));
                    break;
                case 3:
                    var keep = random.Next(bytes.Count);
                    bytes.RemoveRange(keep, bytes.Count - keep);
                    break;
                case 4:
                    // A length or varint field gone wrong: a byte set to an extreme or a continuation bit.
                    bytes[random.Next(bytes.Count)] = random.Next(3) switch { 0 => 0xFF, 1 => 0x80, _ => 0x7F };
                    if (bytes.Count > 5 && random.Next(4) == 0)
                    {
                        bytes[1 + random.Next(4)] = (byte)random.Next(256);
                    }

                    break;
                case 5:
                    return RandomBytes(random, random.Next(512));
                case 6:
                    // A repeated range: duplicated fields in protobuf, repeated tokens in JSON.
                    var from = random.Next(bytes.Count);
                    var length = Math.Min(bytes.Count - from, 1 + random.Next(64));
                    bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(from, length));
                    break;
                default:
                    bytes.AddRange(source);
                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var b = new byte[count];
        random.NextBytes(b);
        return b;
    }

    private readonly record struct Outcome(string Label, string Detail, bool Acceptable);

    private static async Task<Outcome> SendHttpAsync(HttpClient http, Uri url, byte[] body, bool json)
    {
        try
        {
            using var timeout = new CancellationTokenSource(s_answerTimeout);
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(json ? "application/json" : "application/x-protobuf");
            using var response = await http.PostAsync(url, content, timeout.Token);
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            var status = (int)response.StatusCode;
            string detail;
            bool wellFormed;
            if (json)
            {
                detail = Encoding.UTF8.GetString(bytes);
                wellFormed = detail.StartsWith('{');
            }
            else
            {
                try
                {
                    detail = status == 200
                        ? OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceResponse.Parser.ParseFrom(bytes).ToString()
                        : Google.Rpc.Status.Parser.ParseFrom(bytes).Message;
                    wellFormed = true;
                }
                catch (InvalidProtocolBufferException e)
                {
                    detail = "unparseable reply: " + e.Message;
                    wellFormed = false;
                }
            }

            return new Outcome("http " + status, detail, wellFormed && status is 200 or 400 or 413);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Outcome("http exception", e.GetType().Name + ": " + e.Message, false);
        }
    }

    private static async Task<Outcome> SendGrpcAsync(HttpClient grpc, Uri url, byte[] frame)
    {
        try
        {
            using var timeout = new CancellationTokenSource(s_answerTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(frame),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            using var response = await grpc.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var code = RetryingExporter.GrpcStatus(response);
            var message = response.TrailingHeaders.TryGetValues("grpc-message", out var m) ? Uri.UnescapeDataString(m.First())
                : response.Headers.TryGetValues("grpc-message", out var hm) ? Uri.UnescapeDataString(hm.First()) : string.Empty;
            if (code is null)
            {
                return new Outcome("grpc none http " + (int)response.StatusCode, message, false);
            }

            // INTERNAL is what gRPC itself answers for a broken frame; anywhere else it would hide a crash.
            var acceptable = response.StatusCode == HttpStatusCode.OK && s_grpcCodes.Contains(code.Value)
                && (code != 13 || message.Contains("frame", StringComparison.OrdinalIgnoreCase) || message.Contains("message", StringComparison.OrdinalIgnoreCase));
            return new Outcome("grpc " + code, message, acceptable);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Outcome("grpc exception", e.GetType().Name + ": " + e.Message, false);
        }
    }

    /// <summary>
    /// A request whose one span attribute nests <paramref name="depth"/> levels of kvlist (or array) values, written
    /// byte by byte: building it as objects and serializing would itself recurse that deep.
    /// </summary>
    private static byte[] DeepProtobufRequest(int depth, bool kvlist)
    {
        var value = Field(1, "leaf"u8.ToArray());
        for (var i = 0; i < depth; i++)
        {
            value = kvlist
                ? Field(6, Field(1, [.. Field(1, "k"u8.ToArray()), .. Field(2, value)]))
                : Field(5, Field(1, value));
        }

        var span = Load.Spans("deep", depth, 1).ResourceSpans[0].ScopeSpans[0].Spans[0].ToByteArray();
        byte[] withAttribute = [.. span, .. Field(9, [.. Field(1, "deep.value"u8.ToArray()), .. Field(2, value)])];
        var resource = new OpenTelemetry.Proto.Trace.V1.ResourceSpans
        {
            Resource = new OpenTelemetry.Proto.Resource.V1.Resource { Attributes = { Load.Attr("service.name", "deep") } },
        }.ToByteArray();
        return Field(1, [.. resource, .. Field(2, Field(2, withAttribute))]);
    }

    private static byte[] DeepJsonRequest(int depth, bool kvlist)
    {
        var open = kvlist ? """{"kvlistValue":{"values":[{"key":"k","value":""" : """{"arrayValue":{"values":[""";
        var close = kvlist ? "}]}}" : "]}}";
        var value = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            value.Append(open);
        }

        value.Append("""{"stringValue":"leaf"}""");
        for (var i = 0; i < depth; i++)
        {
            value.Append(close);
        }

        var json = Encoding.UTF8.GetString(Load.JsonSpans("deep", 100 + depth, 1));
        return Encoding.UTF8.GetBytes(json.Replace("""{"key":"tags","value":""", """{"key":"deep.value","value":""" + value + """},{"key":"tags","value":""", StringComparison.Ordinal));
    }

    /// <summary>A length-delimited protobuf field.</summary>
    private static byte[] Field(int number, byte[] payload)
    {
        var output = new List<byte>(payload.Length + 8);
        Varint(output, (ulong)((number << 3) | 2));
        Varint(output, (ulong)payload.Length);
        output.AddRange(payload);
        return [.. output];
    }

    private static void Varint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }
}
