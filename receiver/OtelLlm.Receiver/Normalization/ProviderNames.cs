namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Maps the provider names dialects use (<c>OpenAI</c>, <c>az.ai.openai</c>, OpenInference's <c>azure</c>, ...) to the
/// GenAI semantic-convention values of <c>gen_ai.provider.name</c> (v1.41), so one provider is one value in SQL.
/// </summary>
internal static class ProviderNames
{
    private static readonly Dictionary<string, string> s_map = new(StringComparer.OrdinalIgnoreCase)
    {
        ["openai"] = "openai",
        ["azure"] = "azure.ai.openai",
        ["az.ai.openai"] = "azure.ai.openai",
        ["azure.ai.openai"] = "azure.ai.openai",
        ["azure_openai"] = "azure.ai.openai",
        ["az.ai.inference"] = "azure.ai.inference",
        ["azure.ai.inference"] = "azure.ai.inference",
        ["aws"] = "aws.bedrock",
        ["amazon"] = "aws.bedrock",
        ["bedrock"] = "aws.bedrock",
        ["aws.bedrock"] = "aws.bedrock",
        ["aws_bedrock"] = "aws.bedrock",
        ["google"] = "gcp.gen_ai",
        ["gcp.gen_ai"] = "gcp.gen_ai",
        ["gemini"] = "gcp.gemini",
        ["gcp.gemini"] = "gcp.gemini",
        ["google_genai"] = "gcp.gen_ai",
        ["vertex_ai"] = "gcp.vertex_ai",
        ["vertexai"] = "gcp.vertex_ai",
        ["gcp.vertex_ai"] = "gcp.vertex_ai",
        ["anthropic"] = "anthropic",
        ["cohere"] = "cohere",
        ["deepseek"] = "deepseek",
        ["groq"] = "groq",
        ["ibm.watsonx.ai"] = "ibm.watsonx.ai",
        ["ibm.watson.ai"] = "ibm.watsonx.ai",
        ["watsonx"] = "ibm.watsonx.ai",
        ["mistralai"] = "mistral_ai",
        ["mistral"] = "mistral_ai",
        ["mistral_ai"] = "mistral_ai",
        ["perplexity"] = "perplexity",
        ["xai"] = "x_ai",
        ["x_ai"] = "x_ai",
        ["moonshot"] = "moonshot_ai",
        ["moonshot_ai"] = "moonshot_ai",
    };

    /// <summary>The semconv value; unknown names are kept, lower-cased, so they still group.</summary>
    public static string Normalize(string raw)
    {
        var trimmed = raw.Trim();
        if (s_map.TryGetValue(trimmed, out var known))
        {
            return known;
        }

        return trimmed.ToLowerInvariant();
    }
}
