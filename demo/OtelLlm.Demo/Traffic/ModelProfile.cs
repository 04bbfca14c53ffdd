namespace OtelLlm.Demo.Traffic;

/// <summary>How a simulated model behaves: who serves it, how long it takes, how it uses tokens.</summary>
/// <param name="Provider">The <c>gen_ai.provider.name</c> value (<c>openai</c>, <c>anthropic</c>).</param>
/// <param name="Model">The model id requested.</param>
/// <param name="ResponseModel">The dated model version the provider answers with.</param>
/// <param name="Endpoint">The provider's API address, reported as <c>server.address</c>.</param>
/// <param name="LatencyMs">Typical full-answer latency before scaling.</param>
/// <param name="FirstTokenMs">Typical time to the first streamed chunk before scaling.</param>
/// <param name="OutputFactor">Answer length relative to the prompt.</param>
/// <param name="ReasoningFactor">Reasoning tokens per output token (0 for models that do not reason).</param>
/// <param name="CachedShare">Share of input tokens served from the prompt cache on a repeated prefix.</param>
/// <param name="ErrorRate">Chance that a call fails on its own (rate limit or timeout).</param>
internal sealed record ModelProfile(
    string Provider,
    string Model,
    string ResponseModel,
    Uri Endpoint,
    int LatencyMs,
    int FirstTokenMs,
    double OutputFactor,
    double ReasoningFactor,
    double CachedShare,
    double ErrorRate);

/// <summary>The models the demo traffic uses. Names match <c>pricing/model-prices.json</c>, so every call gets a cost.</summary>
internal static class ModelCatalog
{
    private static readonly Uri s_openAi = new("https://api.openai.com/v1");
    private static readonly Uri s_anthropic = new("https://api.anthropic.com");

    public static ModelProfile Gpt4o { get; } = new("openai", "gpt-4o", "gpt-4o-2024-08-06", s_openAi, 1800, 450, 1.4, 0, 0.5, 0.03);

    public static ModelProfile Gpt4oMini { get; } = new("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", s_openAi, 700, 200, 0.6, 0, 0.5, 0.02);

    public static ModelProfile O3Mini { get; } = new("openai", "o3-mini", "o3-mini-2025-01-31", s_openAi, 4200, 2500, 1.1, 3.0, 0, 0.04);

    public static ModelProfile ClaudeHaiku { get; } = new("anthropic", "claude-haiku-4-5", "claude-haiku-4-5-20251001", s_anthropic, 900, 300, 0.8, 0, 0.7, 0.02);

    public static ModelProfile TextEmbedding { get; } = new("openai", "text-embedding-3-small", "text-embedding-3-small", s_openAi, 120, 0, 0, 0, 0, 0.01);

    /// <summary>Served by the real Anthropic SDK client against the local fake Messages API.</summary>
    public const string ClaudeSonnet = "claude-sonnet-4-5";

    /// <summary>Every model id the traffic can use.</summary>
    public static IReadOnlyList<string> AllModels { get; } =
        [Gpt4o.Model, Gpt4oMini.Model, O3Mini.Model, ClaudeHaiku.Model, TextEmbedding.Model, ClaudeSonnet];
}
