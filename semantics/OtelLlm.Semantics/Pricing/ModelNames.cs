using System.Text.RegularExpressions;

namespace OtelLlm.Semantics.Pricing;

/// <summary>
/// The shapes model names take in real telemetry, and the names to look up for each: Vertex AI resource paths
/// (<c>projects/p/locations/l/publishers/google/models/gemini-2.5-pro</c>) and its <c>@</c> versions
/// (<c>claude-sonnet-4-5@20250929</c>), Bedrock ARNs, ids and cross-region profiles
/// (<c>us.anthropic.claude-sonnet-4-5-20250929-v1:0</c>), <c>vendor/model</c> prefixes (<c>openai/gpt-4o</c>,
/// OpenRouter ids), and compact date suffixes (<c>-20250929</c> for <c>-2025-09-29</c>).
/// </summary>
internal static partial class ModelNames
{
    /// <summary>The name itself, then its last path segment (Vertex paths, ARNs), then with Vertex's <c>@</c> version as a dash.</summary>
    public static IEnumerable<string> Candidates(string name)
    {
        yield return name;
        var tail = name;
        if (name.StartsWith("arn:", StringComparison.Ordinal) || name.Contains("/models/", StringComparison.Ordinal) || name.StartsWith("models/", StringComparison.Ordinal))
        {
            tail = name[(name.LastIndexOf('/') + 1)..];
            if (tail.Length > 0 && tail != name)
            {
                yield return tail;
            }
        }

        var at = tail.IndexOf('@', StringComparison.Ordinal);
        if (at > 0)
        {
            yield return string.Concat(tail.AsSpan(0, at), "-", tail.AsSpan(at + 1));
            yield return tail[..at];
        }
    }

    /// <summary>The name with compact date suffixes written with dashes (<c>claude-3-haiku-20240307</c> → <c>claude-3-haiku-2024-03-07</c>), or <see langword="null"/> when it has none.</summary>
    public static string? WithDashedDates(string name)
    {
        var replaced = CompactDate().Replace(name, static m =>
            DateOnly.TryParseExact(m.Groups[1].Value + m.Groups[2].Value + m.Groups[3].Value, "yyyyMMdd", out _)
                ? $"-{m.Groups[1].Value}-{m.Groups[2].Value}-{m.Groups[3].Value}"
                : m.Value);
        return replaced == name ? null : replaced;
    }

    /// <summary>Splits <c>vendor/model</c> at the first slash.</summary>
    public static bool TrySplitVendor(string name, out string vendor, out string model)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && slash < name.Length - 1 && !name.StartsWith("arn:", StringComparison.Ordinal))
        {
            vendor = name[..slash];
            model = name[(slash + 1)..];
            return true;
        }

        vendor = model = string.Empty;
        return false;
    }

    /// <summary>Splits a Bedrock model id (<c>[region.]vendor.model[-vN[:M]]</c>) into the model's vendor and its name at the vendor.</summary>
    public static bool TrySplitBedrock(string name, out string vendor, out string model)
    {
        var m = BedrockId().Match(name);
        if (m.Success)
        {
            vendor = m.Groups["vendor"].Value;
            model = m.Groups["model"].Value;
            return true;
        }

        vendor = model = string.Empty;
        return false;
    }

    [GeneratedRegex(@"-(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|@|$)", RegexOptions.CultureInvariant)]
    private static partial Regex CompactDate();

    [GeneratedRegex(@"^(?:(?:us|eu|apac|ap|global|jp|au|ca|us-gov)\.)?(?<vendor>anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|qwen|writer|moonshotai|twelvelabs|stability)\.(?<model>[^.:/][^:/]*?)(?:-v\d+)?(?::\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex BedrockId();
}
