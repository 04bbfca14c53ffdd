using System.Diagnostics;
using OpenTelemetry;
using OtelLlm.Semantics;

namespace OtelLlm.Instrumentation.Content;

/// <summary>
/// Redacts and truncates the GenAI content attributes of every span when it ends, before the exporters added after
/// it to the tracer provider see the span, whichever instrumentation produced it.
/// </summary>
internal sealed class GenAiContentProcessor(ContentRewriter rewriter) : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        // Spans without content (capture off, or not a GenAI span) are only scanned; nothing is allocated for them.
        List<KeyValuePair<string, string>>? content = null;
        foreach (ref readonly var tag in data.EnumerateTagObjects())
        {
            if (tag.Value is string value && Kind(tag.Key) != ContentKind.None)
            {
                (content ??= []).Add(new(tag.Key, value));
            }
        }

        if (content is null)
        {
            return;
        }

        // Rewritten after the scan: a span's tags cannot change while they are enumerated.
        foreach (var (key, value) in content)
        {
            var rewritten = rewriter.Rewrite(value, Kind(key) == ContentKind.Messages);
            if (!ReferenceEquals(rewritten, value))
            {
                data.SetTag(key, rewritten);
            }
        }
    }

    private static ContentKind Kind(string key)
    {
        if (!key.StartsWith(GenAi.Prefix, StringComparison.Ordinal))
        {
            return ContentKind.None;
        }

        return key switch
        {
            GenAi.InputMessages or GenAi.OutputMessages or GenAi.SystemInstructions or GenAi.ToolDefinitions => ContentKind.Messages,
            GenAi.Tool.CallArguments or GenAi.Tool.CallResult => ContentKind.Value,
            _ => ContentKind.None,
        };
    }

    private enum ContentKind
    {
        None,
        Messages,
        Value,
    }
}
