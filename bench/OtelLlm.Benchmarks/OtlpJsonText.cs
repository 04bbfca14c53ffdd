using System.Text.Json.Nodes;
using Google.Protobuf;

namespace OtelLlm.Benchmarks;

/// <summary>
/// Writes an OTLP message as OTLP/JSON, the way OpenTelemetry's JavaScript exporters send it: Google.Protobuf's proto3
/// JSON with enums as integers, then every trace and span id turned from base64 into hex, as the OTLP JSON encoding
/// requires.
/// </summary>
internal static class OtlpJsonText
{
    private static readonly JsonFormatter s_formatter = new(JsonFormatter.Settings.Default.WithFormatEnumsAsIntegers(true));

    public static string Write(IMessage message)
    {
        var node = JsonNode.Parse(s_formatter.Format(message))!;
        HexIds(node);
        return node.ToJsonString();
    }

    private static void HexIds(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is JsonValue id && name is "traceId" or "spanId" or "parentSpanId")
                    {
                        obj[name] = Convert.ToHexString(Convert.FromBase64String(id.GetValue<string>())).ToLowerInvariant();
                    }
                    else
                    {
                        HexIds(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    HexIds(item);
                }

                break;
        }
    }
}
