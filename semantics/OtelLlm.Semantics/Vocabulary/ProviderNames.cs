using System.Collections.Frozen;

namespace OtelLlm.Semantics;

/// <summary>
/// One name per provider: the <c>gen_ai.provider.name</c> values of the GenAI semantic conventions (v1.41), and the
/// aliases each dialect and client library uses for them (<c>OpenAI</c>, <c>az.ai.openai</c>, OpenInference's
/// <c>google</c>, OpenLIT's <c>ibm.watson.ai</c>, <c>IChatClient</c> names like <c>azure_openai</c>, the Vercel AI SDK's
/// <c>openai.chat</c>, <c>anthropic.messages</c>, <c>google.generative-ai</c>, <c>amazon-bedrock</c>, LangChain's
/// <c>ls_provider</c> values like <c>google_vertexai</c> and <c>amazon_bedrock</c>), so that one
/// provider is one value in SQL, in metrics and in the price table.
/// </summary>
/// <remarks>
/// <para>
/// The Vercel AI SDK names a provider and the API used, <c>{provider}.{api}</c> (<c>openai.responses</c>,
/// <c>azure.chat</c>, <c>mistral.embedding</c>, <c>google.vertex.chat</c>): the API part is dropped, and what stays is
/// looked up like any other name, so a provider this list does not know still has one name (<c>togetherai.chat</c> and
/// <c>togetherai.embedding</c> are both <c>togetherai</c>).
/// </para>
/// <para>
/// Google has three values in the conventions: <see cref="GcpGemini"/> for the Gemini API (AI Studio),
/// <see cref="GcpVertexAi"/> for Vertex AI, and <see cref="GcpGenAi"/> for any Google endpoint when which one is
/// unknown. A bare <c>google</c> names no endpoint, so it maps to <see cref="GcpGenAi"/>; the Vercel AI SDK's
/// <c>google.generative-ai</c> is the Gemini API and <c>google.vertex.*</c> is Vertex AI.
/// </para>
/// </remarks>
public static class ProviderNames
{
    /// <summary><c>openai</c>.</summary>
    public const string OpenAi = "openai";

    /// <summary><c>azure.ai.openai</c>: Azure OpenAI.</summary>
    public const string AzureAiOpenAi = "azure.ai.openai";

    /// <summary><c>azure.ai.inference</c>: Azure AI Inference (Foundry models).</summary>
    public const string AzureAiInference = "azure.ai.inference";

    /// <summary><c>anthropic</c>.</summary>
    public const string Anthropic = "anthropic";

    /// <summary><c>aws.bedrock</c>.</summary>
    public const string AwsBedrock = "aws.bedrock";

    /// <summary><c>gcp.gemini</c>: the Gemini API (AI Studio).</summary>
    public const string GcpGemini = "gcp.gemini";

    /// <summary><c>gcp.vertex_ai</c>: Vertex AI.</summary>
    public const string GcpVertexAi = "gcp.vertex_ai";

    /// <summary><c>gcp.gen_ai</c>: any Google generative AI endpoint, when which one is unknown.</summary>
    public const string GcpGenAi = "gcp.gen_ai";

    /// <summary><c>cohere</c>.</summary>
    public const string Cohere = "cohere";

    /// <summary><c>deepseek</c>.</summary>
    public const string DeepSeek = "deepseek";

    /// <summary><c>groq</c>.</summary>
    public const string Groq = "groq";

    /// <summary><c>ibm.watsonx.ai</c>.</summary>
    public const string IbmWatsonxAi = "ibm.watsonx.ai";

    /// <summary><c>mistral_ai</c>.</summary>
    public const string MistralAi = "mistral_ai";

    /// <summary><c>perplexity</c>.</summary>
    public const string Perplexity = "perplexity";

    /// <summary><c>x_ai</c>: xAI (Grok).</summary>
    public const string XAi = "x_ai";

    /// <summary><c>moonshot_ai</c> (listed by the conventions' registry, not yet by the spans page).</summary>
    public const string MoonshotAi = "moonshot_ai";

    /// <summary><c>openrouter</c> (not in the conventions; what the OTel JS and Vercel instrumentations send).</summary>
    public const string OpenRouter = "openrouter";

    /// <summary><c>together</c>: Together AI (not in the conventions; the price data's name).</summary>
    public const string Together = "together";

    // Keys are compared ignoring case; '-' and ' ' are folded to '_' before a second look-up.
    private static readonly FrozenDictionary<string, string> s_aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [OpenAi] = OpenAi,
        ["open_ai"] = OpenAi,
        [AzureAiOpenAi] = AzureAiOpenAi,
        ["azure"] = AzureAiOpenAi,
        ["az.ai.openai"] = AzureAiOpenAi,
        ["azure_openai"] = AzureAiOpenAi,
        ["azureopenai"] = AzureAiOpenAi,
        [AzureAiInference] = AzureAiInference,
        ["az.ai.inference"] = AzureAiInference,
        ["azure_ai_inference"] = AzureAiInference,
        ["azureaiinference"] = AzureAiInference,
        [Anthropic] = Anthropic,
        ["claude"] = Anthropic,
        [AwsBedrock] = AwsBedrock,
        ["aws"] = AwsBedrock,
        ["amazon"] = AwsBedrock,
        ["bedrock"] = AwsBedrock,
        ["aws_bedrock"] = AwsBedrock,
        ["amazon_bedrock"] = AwsBedrock,
        [GcpGemini] = GcpGemini,
        ["gemini"] = GcpGemini,
        ["google.generative-ai"] = GcpGemini,
        ["google_generative_ai"] = GcpGemini,
        ["google_gemini"] = GcpGemini,
        ["google_ai_studio"] = GcpGemini,
        [GcpVertexAi] = GcpVertexAi,
        ["vertex"] = GcpVertexAi,
        ["vertexai"] = GcpVertexAi,
        ["vertex_ai"] = GcpVertexAi,
        ["google_vertex"] = GcpVertexAi,
        ["google_vertexai"] = GcpVertexAi,
        ["google.vertex"] = GcpVertexAi,
        ["vertex.anthropic"] = GcpVertexAi,
        ["google.vertex.anthropic"] = GcpVertexAi,
        [GcpGenAi] = GcpGenAi,
        ["google"] = GcpGenAi,
        ["google_genai"] = GcpGenAi,
        ["googleai"] = GcpGenAi,
        ["google_ai"] = GcpGenAi,
        [Cohere] = Cohere,
        [DeepSeek] = DeepSeek,
        [Groq] = Groq,
        [IbmWatsonxAi] = IbmWatsonxAi,
        ["ibm.watson.ai"] = IbmWatsonxAi,
        ["watsonx"] = IbmWatsonxAi,
        [MistralAi] = MistralAi,
        ["mistral"] = MistralAi,
        ["mistralai"] = MistralAi,
        [Perplexity] = Perplexity,
        [XAi] = XAi,
        ["xai"] = XAi,
        ["grok"] = XAi,
        [MoonshotAi] = MoonshotAi,
        ["moonshot"] = MoonshotAi,
        ["moonshotai"] = MoonshotAi,
        [OpenRouter] = OpenRouter,
        [Together] = Together,
        ["togetherai"] = Together,
        ["together_ai"] = Together,

        // The Vercel AI SDK's most used {provider}.{api} names, found in one look-up; others take the rule in Normalize.
        ["openai.chat"] = OpenAi,
        ["openai.responses"] = OpenAi,
        ["openai.completion"] = OpenAi,
        ["openai.embedding"] = OpenAi,
        ["anthropic.messages"] = Anthropic,
        ["azure.chat"] = AzureAiOpenAi,
        ["azure.responses"] = AzureAiOpenAi,
        ["azure.completion"] = AzureAiOpenAi,
        ["azure.embeddings"] = AzureAiOpenAi,
        ["amazon-bedrock"] = AwsBedrock,
        ["google.vertex.chat"] = GcpVertexAi,
        ["mistral.chat"] = MistralAi,
        ["groq.chat"] = Groq,
        ["xai.chat"] = XAi,
        ["deepseek.chat"] = DeepSeek,
        ["cohere.chat"] = Cohere,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    // The API part of the Vercel AI SDK's provider names ({provider}.{api}); compared ignoring case.
    private static readonly FrozenSet<string> s_apiSuffixes = new[]
    {
        "chat", "responses", "completion", "messages", "embedding", "embeddings", "textEmbedding", "text-embedding",
        "image", "transcription", "speech", "reranking", "languageModel",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The canonical name of a provider name any dialect or client reports. Unknown names are kept, trimmed and
    /// lower-cased, so they still group; <see langword="null"/> or blank gives <see langword="null"/>.
    /// </summary>
    /// <param name="name">A provider name as reported (<c>OpenAI</c>, <c>az.ai.openai</c>, <c>Azure OpenAI</c>, ...).</param>
    /// <returns>The canonical name, or <see langword="null"/> for no name.</returns>
    public static string? Normalize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        // The common case, a known name as sent, costs one look-up and no allocation.
        if (s_aliases.TryGetValue(name, out var known))
        {
            return known;
        }

        var lowered = name.Trim().ToLowerInvariant();
        if (Lookup(lowered) is { } alias)
        {
            return alias;
        }

        // {provider}.{api}: drop API parts from the end while they are one, then look the provider up.
        var provider = lowered;
        var dot = provider.LastIndexOf('.');
        while (dot > 0 && s_apiSuffixes.Contains(provider[(dot + 1)..]))
        {
            provider = provider[..dot];
            if (Lookup(provider) is { } canonical)
            {
                return canonical;
            }

            dot = provider.LastIndexOf('.');
        }

        return provider;
    }

    private static string? Lookup(string lowered) =>
        s_aliases.TryGetValue(lowered, out var known) || s_aliases.TryGetValue(lowered.Replace('-', '_').Replace(' ', '_'), out known)
            ? known
            : null;
}
