// A busy .NET service as a new user would write it: the OpenTelemetry .NET SDK with its default batch processor
// (queue 2,048, batches of 512, an export every 5 s or when a batch is full, one export at a time) and the OTLP exporter
// (gRPC by default), producing --rate spans per second for --seconds after one warm-up span (counted). The processor
// silently drops spans that no longer fit its queue, so the spans stored downstream show whether the receiver answers
// fast enough. The .NET counterpart of tests/js/stream-spans.mjs; prints one JSON line: {"produced":N,"service":"..."}.
//
//   dotnet OtelLlm.SdkStream.dll --endpoint http://127.0.0.1:4317 [--rate 3000] [--seconds 10] [--service NAME] [--protocol grpc|http]
using System.Diagnostics;
using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

string? endpoint = null;
var rate = 3000;
var seconds = 10.0;
var service = "dotnet-stream";
var protocol = OtlpExportProtocol.Grpc;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--endpoint": endpoint = Next(); break;
        case "--rate": rate = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seconds": seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--service": service = Next(); break;
        case "--protocol":
            protocol = Next() switch
            {
                "grpc" => OtlpExportProtocol.Grpc,
                "http" => OtlpExportProtocol.HttpProtobuf,
                var v => throw new ArgumentException($"unknown protocol {v}"),
            };
            break;
        default:
            Console.Error.WriteLine($"sdk-stream: unknown option {args[i]}");
            return 2;
    }
}

if (endpoint is null)
{
    Console.Error.WriteLine("sdk-stream: --endpoint is required");
    return 2;
}

var sourceName = "OtelLlm.SdkStream";
using var source = new ActivitySource(sourceName);
var total = (long)(rate * seconds);
long produced;
using (var provider = Sdk.CreateTracerProviderBuilder()
    .AddSource(sourceName)
    .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service))
    .AddOtlpExporter(o =>
    {
        o.Protocol = protocol;
        // OTLP/HTTP takes the full signal path; gRPC the server's address.
        o.Endpoint = new Uri(protocol == OtlpExportProtocol.HttpProtobuf ? endpoint.TrimEnd('/') + "/v1/traces" : endpoint);
    })
    .Build())
{
    // A service that has been running a while: connection set-up and the first export are behind it.
    source.StartActivity("warm-up")?.Stop();
    provider.ForceFlush();
    produced = 1;
    var clock = Stopwatch.StartNew();
    var made = 0L;
    while (made < total)
    {
        var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate));
        for (; made < due; made++)
        {
            using var activity = source.StartActivity("work");
            activity?.SetTag("work.index", made);
        }

        Thread.Sleep(5);
    }

    produced += made;
    provider.ForceFlush();
}

Console.WriteLine($"{{\"produced\":{produced.ToString(CultureInfo.InvariantCulture)},\"service\":\"{service}\"}}");
return 0;
