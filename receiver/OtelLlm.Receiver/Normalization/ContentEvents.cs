using System.Text.Json.Nodes;
using Google.Protobuf.Collections;

namespace OtelLlm.Receiver.Normalization;

/// <summary>What one content event contributes to a call.</summary>
internal enum ContentKind
{
    /// <summary>One input message (semconv ≤1.36 <c>gen_ai.{role}.message</c>).</summary>
    InputMessage,

    /// <summary>One output message for a choice index (semconv ≤1.36 <c>gen_ai.choice</c>).</summary>
    OutputMessage,

    /// <summary>An array of input messages (<c>gen_ai.client.inference.operation.details</c>, v1.26 prompt event).</summary>
    InputMessages,

    /// <summary>An array of output messages.</summary>
    OutputMessages,

    SystemInstructions,
    ToolDefinitions,
}

/// <summary>One piece of content, already in the OTel GenAI JSON schema.</summary>
/// <param name="Kind">What the content is.</param>
/// <param name="Order">Sort key within its kind: event time, then arrival.</param>
/// <param name="Sequence">Arrival order, to break ties between events with the same time.</param>
/// <param name="Index">Choice index for output messages.</param>
/// <param name="Node">The message, message array or parts array.</param>
/// <param name="Fingerprint">Identity of the source event, so a re-delivered event is not added twice.</param>
internal sealed record ContentItem(ContentKind Kind, ulong Order, long Sequence, int Index, JsonNode Node, string Fingerprint);

/// <summary>
/// Turns GenAI content events — semconv ≤1.36 per-message events, the ≥1.37 operation-details event, the v1.26
/// prompt/completion span events — into <see cref="ContentItem"/>s, whether they arrive as log records (body or
/// attributes) or as span events (attributes).
/// </summary>
internal static class ContentEvents
{
    /// <summary>Whether an event name carries GenAI content.</summary>
    public static bool IsContentEvent(string? name) => name is
        GenAi.Events.SystemMessage or GenAi.Events.UserMessage or GenAi.Events.AssistantMessage or GenAi.Events.ToolMessage
        or GenAi.Events.Choice or GenAi.Events.OperationDetails or GenAi.Events.ContentPrompt or GenAi.Events.ContentCompletion;

    /// <summary>The event name of a log record: the top-level field, else the legacy <c>event.name</c> attribute.</summary>
    public static string? EventNameOf(string? eventName, RepeatedField<KeyValue> attributes)
    {
        if (!string.IsNullOrEmpty(eventName))
        {
            return eventName;
        }

        for (var i = 0; i < attributes.Count; i++)
        {
            if (attributes[i].Key == Otel.EventName && attributes[i].Value?.ValueCase == AnyValue.ValueOneofCase.StringValue)
            {
                return attributes[i].Value.StringValue;
            }
        }

        return null;
    }

    /// <summary>
    /// Converts one event. <paramref name="body"/> is the log body (null for span events); the attributes are used
    /// as the body when there is none, which is how span events carry the same fields.
    /// </summary>
    public static void Convert(string name, AnyValue? body, AttributeMap attributes, ulong time, long sequence, List<ContentItem> output)
    {
        var fingerprintBase = string.Concat(name, "|", time.ToString(System.Globalization.CultureInfo.InvariantCulture), "|");
        switch (name)
        {
            case GenAi.Events.OperationDetails:
                AddArray(output, ContentKind.InputMessages, MessageJson.NormalizeMessages(MessageJson.FromAnyValue(attributes.Get(GenAi.InputMessages)), output: false), time, sequence, fingerprintBase);
                AddArray(output, ContentKind.OutputMessages, MessageJson.NormalizeMessages(MessageJson.FromAnyValue(attributes.Get(GenAi.OutputMessages)), output: true), time, sequence, fingerprintBase);
                AddArray(output, ContentKind.SystemInstructions, MessageJson.NormalizeSystemInstructions(MessageJson.FromAnyValue(attributes.Get(GenAi.SystemInstructions))), time, sequence, fingerprintBase);
                AddArray(output, ContentKind.ToolDefinitions, MessageJson.NormalizeToolDefinitions(MessageJson.FromAnyValue(attributes.Get(GenAi.ToolDefinitions))), time, sequence, fingerprintBase);
                return;
            case GenAi.Events.ContentPrompt:
                AddArray(output, ContentKind.InputMessages, MessageJson.NormalizeMessages(MessageJson.FromAnyValue(attributes.Get(GenAi.Prompt) ?? body), output: false), time, sequence, fingerprintBase);
                return;
            case GenAi.Events.ContentCompletion:
                AddArray(output, ContentKind.OutputMessages, MessageJson.NormalizeMessages(MessageJson.FromAnyValue(attributes.Get(GenAi.Completion) ?? body), output: true), time, sequence, fingerprintBase);
                return;
        }

        var fields = BodyOf(body, attributes);
        if (fields is null)
        {
            return;
        }

        var fingerprint = fingerprintBase + MessageJson.Serialize(fields);
        if (name == GenAi.Events.Choice)
        {
            var message = fields["message"] as JsonObject;
            var parts = new JsonArray();
            MessageJson.AddContentParts(parts, message?["content"] ?? fields["content"], null, isToolResult: false);
            MessageJson.AddToolCallParts(parts, message?["tool_calls"] ?? fields["tool_calls"]);
            var choice = new JsonObject
            {
                ["role"] = MessageJson.Role(MessageJson.StringOf(message?["role"]) ?? "assistant"),
                ["parts"] = parts,
            };
            if (MessageJson.StringOf(fields["finish_reason"]) is { } finish)
            {
                choice["finish_reason"] = FinishReasons.Normalize(finish);
            }

            var index = (int)Math.Clamp(MessageJson.Int64Of(fields["index"]) ?? 0, 0, int.MaxValue);
            output.Add(new ContentItem(ContentKind.OutputMessage, time, sequence, index, choice, fingerprint));
            return;
        }

        var defaultRole = name switch
        {
            GenAi.Events.SystemMessage => "system",
            GenAi.Events.AssistantMessage => "assistant",
            GenAi.Events.ToolMessage => "tool",
            _ => "user",
        };
        var role = MessageJson.Role(MessageJson.StringOf(fields["role"]) ?? defaultRole);
        var messageParts = new JsonArray();
        MessageJson.AddContentParts(messageParts, fields["content"], MessageJson.StringOf(fields["id"]), isToolResult: role == "tool");
        MessageJson.AddToolCallParts(messageParts, fields["tool_calls"]);
        output.Add(new ContentItem(ContentKind.InputMessage, time, sequence, 0, new JsonObject { ["role"] = role, ["parts"] = messageParts }, fingerprint));
    }

    private static JsonObject? BodyOf(AnyValue? body, AttributeMap attributes)
    {
        if (body is not null && body.ValueCase != AnyValue.ValueOneofCase.None)
        {
            return MessageJson.FromAnyValue(body) switch
            {
                JsonObject o => o,
                // A plain-text body is the message content itself.
                JsonValue v => new JsonObject { ["content"] = v.DeepClone() },
                _ => null,
            };
        }

        if (MessageJson.FromAnyValue(attributes.Get(GenAi.Events.EventContent)) is JsonObject fromAttribute)
        {
            return fromAttribute;
        }

        var fields = new JsonObject();
        foreach (var kv in attributes.Source)
        {
            if (kv.Key is "content" or "role" or "id" or "index" or "finish_reason" or "message" or "tool_calls")
            {
                fields[kv.Key] = MessageJson.FromAnyValue(kv.Value);
            }
        }

        return fields.Count == 0 ? null : fields;
    }

    private static void AddArray(List<ContentItem> output, ContentKind kind, JsonArray? array, ulong time, long sequence, string fingerprintBase)
    {
        if (array is not null)
        {
            output.Add(new ContentItem(kind, time, sequence, 0, array, string.Concat(fingerprintBase, kind.ToString(), "|", MessageJson.Serialize(array))));
        }
    }
}
