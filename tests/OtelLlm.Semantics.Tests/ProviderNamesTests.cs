namespace OtelLlm.Semantics.Tests;

public sealed class ProviderNamesTests
{
    [Theory]
    [InlineData("OpenAI", "openai")]
    [InlineData("openai", "openai")]
    [InlineData("az.ai.openai", "azure.ai.openai")]
    [InlineData("Azure OpenAI", "azure.ai.openai")]
    [InlineData("azure", "azure.ai.openai")]
    [InlineData("az.ai.inference", "azure.ai.inference")]
    [InlineData("aws", "aws.bedrock")]
    [InlineData("Amazon-Bedrock", "aws.bedrock")]
    [InlineData("google", "gcp.gen_ai")]
    [InlineData("google_genai", "gcp.gen_ai")]
    [InlineData("gemini", "gcp.gemini")]
    [InlineData("gcp.gemini", "gcp.gemini")]
    [InlineData("vertexai", "gcp.vertex_ai")]
    [InlineData("mistralai", "mistral_ai")]
    [InlineData("xAI", "x_ai")]
    [InlineData("ibm.watson.ai", "ibm.watsonx.ai")]
    [InlineData(" Anthropic ", "anthropic")]
    [InlineData("claude", "anthropic")]
    [InlineData("MistralAI", "mistral_ai")]
    [InlineData("VertexAI", "gcp.vertex_ai")]
    [InlineData("Together-AI", "together")]
    [InlineData("google_vertexai", "gcp.vertex_ai")]
    [InlineData("amazon_bedrock", "aws.bedrock")]
    public void Normalize_DialectAliases_GiveTheConventionsName(string raw, string expected)
    {
        Assert.Equal(expected, ProviderNames.Normalize(raw));
    }

    // What each Vercel AI SDK provider package reports as ai.model.provider / gen_ai.system ({provider}.{api}).
    [Theory]
    [InlineData("openai.chat", "openai")]
    [InlineData("openai.responses", "openai")]
    [InlineData("openai.completion", "openai")]
    [InlineData("openai.embedding", "openai")]
    [InlineData("openai.image", "openai")]
    [InlineData("anthropic.messages", "anthropic")]
    [InlineData("google.generative-ai", "gcp.gemini")]
    [InlineData("google.vertex.chat", "gcp.vertex_ai")]
    [InlineData("google.vertex.embedding", "gcp.vertex_ai")]
    [InlineData("vertex.anthropic.messages", "gcp.vertex_ai")]
    [InlineData("amazon-bedrock", "aws.bedrock")]
    [InlineData("azure.chat", "azure.ai.openai")]
    [InlineData("azure.responses", "azure.ai.openai")]
    [InlineData("azure.embeddings", "azure.ai.openai")]
    [InlineData("mistral.chat", "mistral_ai")]
    [InlineData("mistral.embedding", "mistral_ai")]
    [InlineData("groq.chat", "groq")]
    [InlineData("xai.chat", "x_ai")]
    [InlineData("xai.responses", "x_ai")]
    [InlineData("deepseek.chat", "deepseek")]
    [InlineData("cohere.chat", "cohere")]
    [InlineData("cohere.textEmbedding", "cohere")]
    [InlineData("perplexity", "perplexity")]
    [InlineData("togetherai.chat", "together")]
    [InlineData("moonshotai.chat", "moonshot_ai")]
    [InlineData("openrouter.chat", "openrouter")]
    [InlineData("fireworks.chat", "fireworks")]
    public void Normalize_VercelAiSdkProviders_GiveOneNamePerProvider(string raw, string expected)
    {
        Assert.Equal(expected, ProviderNames.Normalize(raw));
    }

    [Theory]
    [InlineData(" Ollama ", "ollama")]
    [InlineData("acme.chat", "acme")]
    [InlineData("acme.embedding", "acme")]
    [InlineData("acme.vision", "acme.vision")]
    [InlineData("aws.sagemaker", "aws.sagemaker")]
    public void Normalize_UnknownName_IsKeptTrimmedAndLowerCasedWithoutItsApi(string raw, string expected)
    {
        Assert.Equal(expected, ProviderNames.Normalize(raw));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Normalize_NoName_GivesNull(string? raw)
    {
        Assert.Null(ProviderNames.Normalize(raw));
    }
}
