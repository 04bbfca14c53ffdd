using System.Text.Json;
using System.Text.Json.Serialization;

namespace OtelLlm.Instrumentation.Content;

/// <summary>A message in the GenAI semconv JSON schema (<c>gen_ai.input.messages</c> / <c>gen_ai.output.messages</c>).</summary>
internal sealed class OtelMessage
{
    [JsonPropertyName("role")]
    public required string Role { get; init; }

    [JsonPropertyName("parts")]
    public List<OtelPart> Parts { get; } = [];

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("finish_reason")]
    public string? FinishReason { get; set; }
}

/// <summary>One part of a message; which members are set depends on <see cref="Type"/>.</summary>
internal sealed class OtelPart
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("content")]
    public string? Content { get; init; }

    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("arguments")]
    public JsonElement? Arguments { get; init; }

    [JsonPropertyName("response")]
    public JsonElement? Response { get; init; }

    [JsonPropertyName("mime_type")]
    public string? MimeType { get; init; }

    [JsonPropertyName("modality")]
    public string? Modality { get; init; }

    [JsonPropertyName("uri")]
    public string? Uri { get; init; }

    [JsonPropertyName("file_id")]
    public string? FileId { get; init; }
}

/// <summary>A tool definition in the GenAI semconv JSON schema (<c>gen_ai.tool.definitions</c>).</summary>
internal sealed class OtelToolDefinition
{
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    [JsonPropertyName("parameters")]
    public JsonElement? Parameters { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(List<OtelMessage>))]
[JsonSerializable(typeof(List<OtelPart>))]
[JsonSerializable(typeof(List<OtelToolDefinition>))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class OtelJsonContext : JsonSerializerContext;
