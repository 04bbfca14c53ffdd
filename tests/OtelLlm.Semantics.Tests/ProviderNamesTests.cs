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
    public void Normalize_DialectAliases_GiveTheConventionsName(string raw, string expected)
    {
        Assert.Equal(expected, ProviderNames.Normalize(raw));
    }

    [Fact]
    public void Normalize_UnknownName_IsKeptTrimmedAndLowerCased()
    {
        Assert.Equal("together-ai", ProviderNames.Normalize(" Together-AI "));
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
