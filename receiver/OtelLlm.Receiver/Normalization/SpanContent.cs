using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Content in the OTel GenAI semantic conventions, on the span: the ≥1.37 attributes (<c>gen_ai.input.messages</c>,
/// <c>gen_ai.output.messages</c>, <c>gen_ai.system_instructions</c>, <c>gen_ai.tool.definitions</c>; JSON strings or
/// structured values), and content carried as span events — ≤1.36 per-message events, the ≥1.37 operation-details
/// event and the v1.26 prompt/completion events. Read for every dialect; content in log records is joined by
/// <see cref="ContentJoin"/>.
/// </summary>
internal static class SpanContent
{
    public static void FromAttributes(SpanInput input, LlmCallRow row)
    {
        var a = input.Attributes;
        if (MessageJson.NormalizeMessages(MessageJson.FromAnyValue(a.Get(GenAi.InputMessages)), output: false) is { } inputMessages)
        {
            row.InputMessages = MessageJson.Serialize(inputMessages);
        }

        if (MessageJson.NormalizeMessages(MessageJson.FromAnyValue(a.Get(GenAi.OutputMessages)), output: true) is { } outputMessages)
        {
            row.OutputMessages = MessageJson.Serialize(outputMessages);
        }

        if (MessageJson.NormalizeSystemInstructions(MessageJson.FromAnyValue(a.Get(GenAi.SystemInstructions))) is { } system)
        {
            row.SystemInstructions = MessageJson.Serialize(system);
        }

        if (MessageJson.NormalizeToolDefinitions(MessageJson.FromAnyValue(a.Get(GenAi.ToolDefinitions))) is { } tools)
        {
            row.ToolDefinitions = MessageJson.Serialize(tools);
        }
    }

    /// <summary>Content carried as span events, to apply to the columns the attributes left empty.</summary>
    public static ContentSet? FromSpanEvents(SpanInput input)
    {
        ContentSet? set = null;
        List<ContentItem>? items = null;
        long sequence = 0;
        foreach (var e in input.Span.Events)
        {
            if (!ContentEvents.IsContentEvent(e.Name))
            {
                continue;
            }

            items ??= [];
            items.Clear();
            ContentEvents.Convert(e.Name, null, new AttributeMap(e.Attributes), e.TimeUnixNano, sequence++, items);
            foreach (var item in items)
            {
                (set ??= new ContentSet()).Add(item);
            }
        }

        return set;
    }
}
