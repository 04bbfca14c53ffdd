namespace OtelLlm.Instrumentation.Semantics;

/// <summary>Maps the provider names IChatClient implementations report to <c>gen_ai.provider.name</c> values.</summary>
internal static class ProviderNames
{
    /// <summary>Normalizes a provider name; unknown names pass through unchanged, <see langword="null"/> stays <see langword="null"/>.</summary>
    public static string? Normalize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var n = name.Trim().ToLowerInvariant().Replace('-', '_').Replace(' ', '_');
        return n switch
        {
            "openai" or "open_ai" => "openai",
            "azure" or "azure_openai" or "azureopenai" or "azure.ai.openai" or "az.ai.openai" => "azure.ai.openai",
            "azure_ai_inference" or "azure.ai.inference" or "az.ai.inference" or "azureaiinference" => "azure.ai.inference",
            "anthropic" or "claude" => "anthropic",
            "google" or "gemini" or "google_gemini" or "googleai" or "google_ai" or "gcp.gemini" => "gcp.gemini",
            "vertex" or "vertexai" or "vertex_ai" or "gcp.vertex_ai" => "gcp.vertex_ai",
            "bedrock" or "aws_bedrock" or "amazon_bedrock" or "aws.bedrock" => "aws.bedrock",
            "mistral" or "mistralai" or "mistral_ai" => "mistral_ai",
            "cohere" => "cohere",
            "deepseek" => "deepseek",
            "groq" => "groq",
            "xai" or "x_ai" or "grok" => "x_ai",
            "perplexity" => "perplexity",
            "watsonx" or "ibm.watsonx.ai" => "ibm.watsonx.ai",
            _ => n,
        };
    }
}
