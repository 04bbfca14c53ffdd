using System.Net;
using System.Text.Json;
using Json.Schema;
using OtelLlm.TestSupport;

namespace OtelLlm.Api.Tests;

/// <summary>
/// The JSON Schemas in docs/schemas say what the endpoints accept: bodies the endpoints store pass their schema, and
/// bodies the endpoints refuse fail it.
/// </summary>
public sealed class SchemaTests(ApiReceiverFixture receiver) : IClassFixture<ApiReceiverFixture>
{
    // A schema file is registered once per process (by its file URI), so each is loaded once.
    private static readonly Dictionary<string, JsonSchema> s_schemas = new[] { "ingest-llm", "ingest-logs", "ingest-metrics", "feedback" }
        .ToDictionary(n => n, n => JsonSchema.FromFile(RepoPaths.Combine("docs", "schemas", n + ".schema.json")));

    public static TheoryData<string, string, string> Accepted => new()
    {
        { "ingest-llm", "/api/v1/ingest/llm", """{"model":"gpt-5","input":[{"role":"system","content":"Be brief."},{"role":"user","content":"2+2?"}],"output":"4","usage":{"inputTokens":10,"outputTokens":1},"timestamp":"2025-06-01T12:00:00Z"}""" },
        { "ingest-llm", "/api/v1/ingest/llm", """{"items":[{"model":"gpt-5","status":"error","errorType":"timeout","timestamp":1748779200000},{"model":"m","output":{"role":"assistant","content":"hi"}}]}""" },
        { "ingest-logs", "/api/v1/ingest/logs", """[{"message":"m","level":"warn","traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","attributes":{"a":1}}]""" },
        { "ingest-metrics", "/api/v1/ingest/metrics", """{"items":[{"name":"g","kind":"gauge","value":1},{"name":"h","kind":"histogram","values":[1,2],"bounds":[1,5]}]}""" },
        { "feedback", "/api/v1/feedback", """[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","value":1},{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","name":"label","stringValue":"off-topic"}]""" },
    };

    public static TheoryData<string, string, string> Refused => new()
    {
        { "ingest-llm", "/api/v1/ingest/llm", """{"items":[{"model":"gpt-5"},{"model":"gpt-5","usage":{"inputTokens":-1}}]}""" },
        { "ingest-llm", "/api/v1/ingest/llm", """{"model":"gpt-5","traceId":"xyz"}""" },
        { "ingest-llm", "/api/v1/ingest/llm", """{"model":"gpt-5","modle":"typo"}""" },
        { "ingest-logs", "/api/v1/ingest/logs", """{"message":"m","level":"loud"}""" },
        { "ingest-logs", "/api/v1/ingest/logs", """{"message":"m","spanId":"00f067aa0ba902b7"}""" },
        { "ingest-metrics", "/api/v1/ingest/metrics", """{"name":"c","kind":"counter","value":-1}""" },
        { "ingest-metrics", "/api/v1/ingest/metrics", """{"name":"g","kind":"gauge"}""" },
        { "feedback", "/api/v1/feedback", """{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","value":3}""" },
        { "feedback", "/api/v1/feedback", """{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","name":"score"}""" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task AcceptedBody_PassesItsSchema(string schema, string path, string body)
    {
        Assert.True(Evaluate(schema, body).IsValid, $"{schema} refuses {body}");
        using var response = await receiver.PostJsonAsync(path, ApiReceiverFixture.AllKey, body);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task RefusedBody_FailsItsSchema(string schema, string path, string body)
    {
        Assert.False(Evaluate(schema, body).IsValid, $"{schema} accepts {body}");
        using var response = await receiver.PostJsonAsync(path, ApiReceiverFixture.AllKey, body);
        await response.ErrorsAsync(HttpStatusCode.BadRequest);
    }

    private static EvaluationResults Evaluate(string schema, string body)
    {
        var json = s_schemas[schema];
        using var document = JsonDocument.Parse(body);
        return json.Evaluate(document.RootElement.Clone(), new EvaluationOptions { OutputFormat = OutputFormat.List });
    }
}
