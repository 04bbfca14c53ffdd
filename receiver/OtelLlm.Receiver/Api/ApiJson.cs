using System.Text.Json;
using System.Text.Json.Serialization;

namespace OtelLlm.Receiver.Api;

/// <summary>How the API writes JSON: camelCase names, enums as strings, no indentation.</summary>
internal static class ApiJson
{
    public const string ContentType = "application/json";

    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the API's settings to <paramref name="options"/> (also the minimal-API options, so OpenAPI schemas match).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.NumberHandling = JsonNumberHandling.Strict;
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        }

        return options;
    }
}
