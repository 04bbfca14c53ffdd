using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Trace;
using OtelLlm.Instrumentation.Content;

namespace OtelLlm.Instrumentation.Tests;

/// <summary>
/// Redaction and truncation as an OpenTelemetry processor: what the exporter receives, from Microsoft.Extensions.AI's
/// spans and from any other GenAI source the provider records.
/// </summary>
public sealed class ContentProcessorTests
{
    private static readonly Regex s_card = new(@"\b\d{4}-\d{4}-\d{4}-\d{4}\b", RegexOptions.CultureInvariant);

    [Fact]
    public async Task Processor_MeaiContent_IsRedactedAndTruncatedBeforeExportAndStaysValidJson()
    {
        var source = "test-redact-" + Guid.NewGuid().ToString("N");
        var exported = new List<Activity>();
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddOtelLlmInstrumentation(o =>
            {
                o.SourceNames.Add(source);
                o.RecordHttpClientCalls = false;
                o.RedactionPatterns.Add(s_card);
                o.Redact = text => text.Replace("alice@example.com", "<email>", StringComparison.Ordinal);
                o.MaxContentLength = 40;
            })
            .AddInMemoryExporter(exported)
            .Build())
        {
            var longAnswer = "Your card 1111-2222-3333-4444 is active. " + new string('z', 100);
            var fake = new FakeChatClient
            {
                GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, longAnswer)) { ModelId = "gpt-4o-mini", FinishReason = ChatFinishReason.Stop }),
            };
            using var client = fake.WithOtelLlm(o =>
            {
                o.SourceName = source;
                o.EnableSensitiveData = true;
            });

            await client.GetResponseAsync("My card is 1111-2222-3333-4444, mail alice@example.com", new ChatOptions { Instructions = "Never reveal card numbers." });
            provider.ForceFlush();
        }

        var span = Assert.Single(exported);
        var input = (string)span.GetTagItem("gen_ai.input.messages")!;
        var output = (string)span.GetTagItem("gen_ai.output.messages")!;
        Assert.DoesNotContain("1111-2222", input + output, StringComparison.Ordinal);
        Assert.DoesNotContain("alice@example.com", input, StringComparison.Ordinal);

        using var inputJson = JsonDocument.Parse(input);
        var message = inputJson.RootElement[0];
        Assert.Equal("user", message.GetProperty("role").GetString());
        Assert.Equal("text", message.GetProperty("parts")[0].GetProperty("type").GetString());
        Assert.Equal("My card is [REDACTED], mail <email>", message.GetProperty("parts")[0].GetProperty("content").GetString());

        using var outputJson = JsonDocument.Parse(output);
        var text = outputJson.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString()!;
        Assert.StartsWith("Your card [REDACTED] is active. zzzzzz", text, StringComparison.Ordinal);
        // 32 characters once redacted, and 100 more: cut at 40.
        Assert.EndsWith("…[truncated 92 chars]", text, StringComparison.Ordinal);
        Assert.Equal("stop", outputJson.RootElement[0].GetProperty("finish_reason").GetString());
        Assert.Contains("Never reveal card numbers.", (string)span.GetTagItem("gen_ai.system_instructions")!, StringComparison.Ordinal);
    }

    [Fact]
    public void Processor_SpanOfAnotherGenAiSource_IsRedactedToo()
    {
        var foreign = new ActivitySource("test-foreign-genai-" + Guid.NewGuid().ToString("N"));
        var exported = new List<Activity>();
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .AddOtelLlmInstrumentation(o =>
            {
                o.SourceNames.Add(foreign.Name);
                o.RecordHttpClientCalls = false;
                o.RedactionPatterns.Add(s_card);
            })
            .AddInMemoryExporter(exported)
            .Build())
        {
            using (var activity = foreign.StartActivity("execute_tool pay"))
            {
                activity!.SetTag("gen_ai.tool.call.arguments", """{"card":"1111-2222-3333-4444","name":"4444-3333-2222-1111"}""");
                activity.SetTag("gen_ai.tool.call.result", "charged 1111-2222-3333-4444");
                activity.SetTag("gen_ai.request.model", "1111-2222-3333-4444");
            }

            provider.ForceFlush();
        }

        var span = Assert.Single(exported);

        // Tool arguments are not in the message schema: every string in them is content, whatever its key.
        Assert.Equal("""{"card":"[REDACTED]","name":"[REDACTED]"}""", span.GetTagItem("gen_ai.tool.call.arguments"));
        Assert.Equal("charged [REDACTED]", span.GetTagItem("gen_ai.tool.call.result"));

        // Only content attributes are touched.
        Assert.Equal("1111-2222-3333-4444", span.GetTagItem("gen_ai.request.model"));
        foreign.Dispose();
    }

    [Fact]
    public void Rewriter_NothingToRedactAndShortText_ReturnsTheSameInstance()
    {
        var rewriter = new ContentRewriter(new OtelLlmTracingOptions());
        var value = """[{"role":"user","parts":[{"type":"text","content":"hi"}]}]""";

        Assert.Same(value, rewriter.Rewrite(value, messageSchema: true));
    }

    [Theory]
    [InlineData("not json [REDACTED? no: 1111-2222-3333-4444", "not json [REDACTED? no: [REDACTED]")]
    [InlineData("[1111-2222-3333-4444", "[[REDACTED]")]
    public void Rewriter_TextThatIsNotJson_IsRedactedAsText(string value, string expected)
    {
        var options = new OtelLlmTracingOptions();
        options.RedactionPatterns.Add(s_card);

        Assert.Equal(expected, new ContentRewriter(options).Rewrite(value, messageSchema: true));
    }

    [Fact]
    public void Rewriter_CutAtASurrogatePair_KeepsThePairWhole()
    {
        var rewriter = new ContentRewriter(new OtelLlmTracingOptions { MaxContentLength = 3 });

        var result = rewriter.Text("ab😀cd");

        Assert.Equal("ab…[truncated 4 chars]", result);
    }
}
