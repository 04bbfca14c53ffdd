using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OtelLlm.Samples.FakeOpenAI;

/// <summary>
/// A Kestrel server on loopback that answers <c>POST /v1/chat/completions</c> and <c>POST /v1/embeddings</c> like the
/// OpenAI API, with deterministic scripted answers: JSON or server-sent events (<c>data: …</c> chunks ending with
/// <c>data: [DONE]</c>, a usage chunk when <c>stream_options.include_usage</c> asks for it), text or <c>tool_calls</c>,
/// and float or base64 embeddings.
/// </summary>
/// <remarks>
/// Script: when the request offers tools and the last message is the user's, the answer calls the first tool
/// (<c>finish_reason: tool_calls</c>); after a <c>tool</c> message it answers in text; otherwise it echoes the user's
/// text, cut at <c>max_completion_tokens</c>/<c>max_tokens</c> words (<c>finish_reason: length</c>).
/// A model name containing <c>error</c> gets a 400 <c>invalid_request_error</c>; containing <c>ratelimit</c> a 429.
/// Usage: prompt tokens = request characters / 4, completion tokens = words in the answer; a system or developer
/// message of 100 characters or more is reported as cached prompt tokens (<c>prompt_tokens_details.cached_tokens</c>);
/// models whose name starts with <c>o</c> report a quarter of the completion as reasoning tokens
/// (<c>completion_tokens_details.reasoning_tokens</c>). Embeddings: one token per 4 characters of input, and
/// <c>dimensions</c> values (default 8) derived from the text.
/// </remarks>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _counter;

    private FakeOpenAIServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Gets the base URL of the API, e.g. <c>http://127.0.0.1:5123/v1</c>, as the OpenAI SDK's endpoint option takes it.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Gets the bodies of the requests received, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Starts a server on a loopback port.</summary>
    /// <param name="port">The port; 0 picks a free one.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>The running server; dispose it to stop.</returns>
    public static async Task<FakeOpenAIServer> StartAsync(int port = 0, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        var app = builder.Build();
        var server = new FakeOpenAIServer(app);
        app.MapPost("/v1/chat/completions", server.ChatAsync);
        app.MapPost("/v1/embeddings", server.EmbeddingsAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ChatAsync(HttpContext context)
    {
        var (body, request) = await ReadAsync(context);
        if (request is null || await RefuseAsync(context, request))
        {
            return;
        }

        var model = request["model"]!.GetValue<string>();
        var answer = Script(request);
        var id = "chatcmpl-fake" + Interlocked.Increment(ref _counter).ToString("D6", CultureInfo.InvariantCulture);
        var promptTokens = Math.Max(1, body.Length / 4);
        var cached = SystemText(request) is { Length: >= 100 } system ? system.Length / 4 : 0;
        var completionTokens = Math.Max(1, Words(answer.Text) + (answer.Tool is null ? 0 : 10));
        var reasoning = model.StartsWith('o') ? completionTokens / 4 : 0;
        var usage = new JsonObject
        {
            ["prompt_tokens"] = promptTokens,
            ["completion_tokens"] = completionTokens,
            ["total_tokens"] = promptTokens + completionTokens,
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = cached, ["audio_tokens"] = 0 },
            ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = reasoning, ["audio_tokens"] = 0 },
        };
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (request["stream"]?.GetValue<bool>() == true)
        {
            var includeUsage = request["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
            await StreamAsync(context, id, created, model, answer, includeUsage ? usage : null);
            return;
        }

        var message = new JsonObject { ["role"] = "assistant", ["content"] = answer.Text.Length > 0 ? answer.Text : null, ["refusal"] = null };
        if (answer.Tool is { } tool)
        {
            message["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = tool.Id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = tool.Name, ["arguments"] = tool.ArgumentsJson },
            });
        }

        var completion = new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = answer.FinishReason }),
            ["usage"] = usage,
            ["system_fingerprint"] = "fp_fake",
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(completion.ToJsonString(), context.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext context, string id, long created, string model, Answer answer, JsonObject? usage)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var ct = context.RequestAborted;
        JsonObject Chunk(JsonObject delta, string? finishReason) => new()
        {
            ["id"] = id,
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = model,
            ["system_fingerprint"] = "fp_fake",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason }),
        };

        await DataAsync(context, Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "", ["refusal"] = null }, null), ct);
        for (var i = 0; i < answer.Text.Length; i += 8)
        {
            await DataAsync(context, Chunk(new JsonObject { ["content"] = answer.Text.Substring(i, Math.Min(8, answer.Text.Length - i)) }, null), ct);
        }

        if (answer.Tool is { } tool)
        {
            await DataAsync(context, Chunk(ToolDelta(new JsonObject { ["id"] = tool.Id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = tool.Name, ["arguments"] = "" } }), null), ct);
            var half = tool.ArgumentsJson.Length / 2;
            foreach (var part in new[] { tool.ArgumentsJson[..half], tool.ArgumentsJson[half..] })
            {
                await DataAsync(context, Chunk(ToolDelta(new JsonObject { ["function"] = new JsonObject { ["arguments"] = part } }), null), ct);
            }
        }

        await DataAsync(context, Chunk(new JsonObject(), answer.FinishReason), ct);
        if (usage is not null)
        {
            var last = Chunk(new JsonObject(), null);
            last["choices"] = new JsonArray();
            last["usage"] = usage;
            await DataAsync(context, last, ct);
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", ct);
        await context.Response.Body.FlushAsync(ct);
    }

    private static JsonObject ToolDelta(JsonObject call)
    {
        call["index"] = 0;
        return new JsonObject { ["tool_calls"] = new JsonArray(call) };
    }

    private async Task EmbeddingsAsync(HttpContext context)
    {
        var (_, request) = await ReadAsync(context);
        if (request is null || await RefuseAsync(context, request))
        {
            return;
        }

        var inputs = request["input"] switch
        {
            JsonArray array => array.Select(i => i!.GetValue<string>()).ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => [],
        };
        var dimensions = request["dimensions"]?.GetValue<int>() ?? 8;
        var base64 = request["encoding_format"]?.GetValue<string>() == "base64";
        var data = new JsonArray();
        var tokens = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            tokens += Math.Max(1, inputs[i].Length / 4);
            var vector = Vector(inputs[i], dimensions);
            JsonNode embedding = base64
                ? Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()))
                : new JsonArray(vector.Select(v => (JsonNode)v).ToArray());
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }

        var response = new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = request["model"]!.GetValue<string>(),
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString(), context.RequestAborted);
    }

    private async Task<(string Body, JsonNode? Request)> ReadAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        Requests.Enqueue(body);
        try
        {
            if (JsonNode.Parse(body) is JsonObject request && request["model"] is JsonValue)
            {
                return (body, request);
            }

            await ErrorAsync(context, 400, "invalid_request_error", "you must provide a model parameter");
        }
        catch (JsonException e)
        {
            await ErrorAsync(context, 400, "invalid_request_error", "We could not parse the JSON body of your request: " + e.Message);
        }

        return (body, null);
    }

    private static async Task<bool> RefuseAsync(HttpContext context, JsonNode request)
    {
        var model = request["model"]!.GetValue<string>();
        if (model.Contains("ratelimit", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, 429, "rate_limit_exceeded", $"Rate limit reached for {model}.");
            return true;
        }

        if (model.Contains("error", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, 400, "invalid_request_error", $"The model `{model}` does not exist or you do not have access to it.");
            return true;
        }

        return false;
    }

    private static Task ErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var error = new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = null } };
        return context.Response.WriteAsync(error.ToJsonString(), context.RequestAborted);
    }

    private static async Task DataAsync(HttpContext context, JsonObject data, CancellationToken ct)
    {
        await context.Response.WriteAsync($"data: {data.ToJsonString()}\n\n", ct);
        await context.Response.Body.FlushAsync(ct);
    }

    private Answer Script(JsonNode request)
    {
        var messages = request["messages"] as JsonArray;
        var last = messages is { Count: > 0 } ? messages[^1] : null;
        if (last?["role"]?.GetValue<string>() == "tool")
        {
            return new Answer($"The tool says: {Text(last)}", "stop", null);
        }

        var userText = Text(last);
        if (request["tools"] is JsonArray { Count: > 0 } tools && tools[0]?["function"]?["name"]?.GetValue<string>() is { } toolName)
        {
            var callId = "call_fake" + Interlocked.Increment(ref _counter).ToString("D6", CultureInfo.InvariantCulture);
            var arguments = new JsonObject { ["location"] = userText.Length > 40 ? userText[..40] : userText }.ToJsonString();
            return new Answer(string.Empty, "tool_calls", new ToolCall(callId, toolName, arguments));
        }

        var maxTokens = (request["max_completion_tokens"] ?? request["max_tokens"])?.GetValue<int>() ?? 1024;
        var words = ("You said: " + userText).Split(' ');
        return words.Length > maxTokens
            ? new Answer(string.Join(' ', words.Take(maxTokens)), "length", null)
            : new Answer(string.Join(' ', words), "stop", null);
    }

    private static string Text(JsonNode? message) => message?["content"] switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Where(p => p?["type"]?.GetValue<string>() == "text").Select(p => p!["text"]?.GetValue<string>())),
        _ => string.Empty,
    };

    private static string? SystemText(JsonNode request) =>
        request["messages"] is JsonArray messages
            ? string.Concat(messages.Where(m => m?["role"]?.GetValue<string>() is "system" or "developer").Select(Text))
            : null;

    private static int Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    private static float[] Vector(string text, int dimensions)
    {
        var vector = new float[dimensions];
        for (var i = 0; i < text.Length; i++)
        {
            vector[i % dimensions] += text[i] / 1000f;
        }

        return vector;
    }

    private sealed record ToolCall(string Id, string Name, string ArgumentsJson);

    private sealed record Answer(string Text, string FinishReason, ToolCall? Tool);
}
