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

namespace OtelLlm.Samples.FakeAnthropic;

/// <summary>
/// A Kestrel server on loopback that answers <c>POST /v1/messages</c> like the Anthropic Messages API, with
/// deterministic scripted answers: non-streaming JSON or server-sent events, text or <c>tool_use</c> blocks.
/// </summary>
/// <remarks>
/// Script: when the request offers tools and the last message is plain user text, the answer calls the first tool
/// (<c>stop_reason: tool_use</c>); after a <c>tool_result</c> it answers in text; otherwise it echoes the user's text.
/// A model name containing <c>error</c> gets a 400 <c>invalid_request_error</c>; containing <c>overloaded</c> a 529.
/// Usage: input tokens = request characters / 4, output tokens = words in the answer; a system prompt of 100
/// characters or more is written to the prompt cache the first time this server sees it
/// (<c>cache_creation_input_tokens</c>) and read from it afterwards (<c>cache_read_input_tokens</c>), a quarter of its
/// characters either way. <c>input_tokens</c> excludes both, as the real API counts.
/// </remarks>
public sealed class FakeAnthropicServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _cachedPrompts = new(StringComparer.Ordinal);
    private int _counter;

    private FakeAnthropicServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Gets the base URL, e.g. <c>http://127.0.0.1:5123</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Gets the bodies of the requests received, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Starts a server on a loopback port.</summary>
    /// <param name="port">The port; 0 picks a free one.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>The running server; dispose it to stop.</returns>
    public static async Task<FakeAnthropicServer> StartAsync(int port = 0, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        var app = builder.Build();
        var server = new FakeAnthropicServer(app);
        app.MapPost("/v1/messages", server.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address);
        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        Requests.Enqueue(body);
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            await ErrorAsync(context, 400, "invalid_request_error", "Body is not JSON: " + e.Message);
            return;
        }

        var model = request?["model"]?.GetValue<string>() ?? "claude-sonnet-4-5";
        if (model.Contains("overloaded", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, 529, "overloaded_error", "Overloaded");
            return;
        }

        if (model.Contains("error", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, 400, "invalid_request_error", $"model: {model} is not a valid model");
            return;
        }

        var answer = Script(request!);
        var id = "msg_fake" + Interlocked.Increment(ref _counter).ToString("D6", CultureInfo.InvariantCulture);
        var inputTokens = Math.Max(1, body.Length / 4);
        var (cacheRead, cacheWrite) = SystemText(request!) is { Length: >= 100 } system
            ? _cachedPrompts.TryAdd(system, true) ? (0, system.Length / 4) : (system.Length / 4, 0)
            : (0, 0);
        var uncached = inputTokens - cacheRead - cacheWrite;
        var outputTokens = Math.Max(1, answer.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length + (answer.Tool is null ? 0 : 10));
        var stream = request!["stream"]?.GetValue<bool>() == true;
        if (stream)
        {
            await StreamAsync(context, id, model, answer, Usage(uncached, cacheRead, cacheWrite, 1), outputTokens);
        }
        else
        {
            var content = new JsonArray();
            if (answer.Text.Length > 0)
            {
                content.Add(new JsonObject { ["type"] = "text", ["text"] = answer.Text });
            }

            if (answer.Tool is { } tool)
            {
                content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = tool.Id, ["name"] = tool.Name, ["input"] = JsonNode.Parse(tool.InputJson) });
            }

            var message = new JsonObject
            {
                ["id"] = id,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = content,
                ["stop_reason"] = answer.StopReason,
                ["stop_sequence"] = null,
                ["usage"] = Usage(uncached, cacheRead, cacheWrite, outputTokens),
            };
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(message.ToJsonString(), context.RequestAborted);
        }
    }

    private static async Task StreamAsync(HttpContext context, string id, string model, Answer answer, JsonObject startUsage, int outputTokens)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var ct = context.RequestAborted;
        var start = new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = id,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                ["usage"] = startUsage,
            },
        };
        await EventAsync(context, "message_start", start, ct);
        await EventAsync(context, "ping", new JsonObject { ["type"] = "ping" }, ct);
        var index = 0;
        if (answer.Text.Length > 0)
        {
            await EventAsync(context, "content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } }, ct);
            foreach (var piece in Chunks(answer.Text))
            {
                await EventAsync(context, "content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = piece } }, ct);
            }

            await EventAsync(context, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index }, ct);
            index++;
        }

        if (answer.Tool is { } tool)
        {
            await EventAsync(context, "content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = tool.Id, ["name"] = tool.Name, ["input"] = new JsonObject() } }, ct);
            var half = tool.InputJson.Length / 2;
            foreach (var part in new[] { tool.InputJson[..half], tool.InputJson[half..] })
            {
                await EventAsync(context, "content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = part } }, ct);
            }

            await EventAsync(context, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index }, ct);
        }

        await EventAsync(context, "message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = answer.StopReason, ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = outputTokens },
        }, ct);
        await EventAsync(context, "message_stop", new JsonObject { ["type"] = "message_stop" }, ct);
    }

    private static IEnumerable<string> Chunks(string text)
    {
        for (var i = 0; i < text.Length; i += 8)
        {
            yield return text.Substring(i, Math.Min(8, text.Length - i));
        }
    }

    private static async Task EventAsync(HttpContext context, string name, JsonObject data, CancellationToken ct)
    {
        await context.Response.WriteAsync($"event: {name}\ndata: {data.ToJsonString()}\n\n", ct);
        await context.Response.Body.FlushAsync(ct);
    }

    private static JsonObject Usage(int input, int cacheRead, int cacheWrite, int output) => new()
    {
        ["input_tokens"] = input,
        ["cache_creation_input_tokens"] = cacheWrite,
        ["cache_read_input_tokens"] = cacheRead,
        ["output_tokens"] = output,
    };

    private static Task ErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var error = new JsonObject { ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message } };
        return context.Response.WriteAsync(error.ToJsonString(), context.RequestAborted);
    }

    private Answer Script(JsonNode request)
    {
        var messages = request["messages"] as JsonArray;
        var last = messages is { Count: > 0 } ? messages[^1] : null;
        var toolResult = FindBlock(last, "tool_result");
        var tools = request["tools"] as JsonArray;
        if (toolResult is not null)
        {
            var result = toolResult["content"] is JsonArray parts ? string.Concat(parts.Select(p => p?["text"]?.GetValue<string>())) : toolResult["content"]?.ToString();
            return new Answer($"The tool says: {result}", "end_turn", null);
        }

        var userText = Text(last);
        if (tools is { Count: > 0 } && tools[0]?["name"]?.GetValue<string>() is { } toolName)
        {
            var toolId = "toolu_fake" + Interlocked.Increment(ref _counter).ToString("D6", CultureInfo.InvariantCulture);
            var input = new JsonObject { ["location"] = userText.Length > 40 ? userText[..40] : userText }.ToJsonString();
            return new Answer("Let me check.", "tool_use", new ToolCall(toolId, toolName, input));
        }

        var maxTokens = request["max_tokens"]?.GetValue<int>() ?? 1024;
        var reply = "You said: " + userText;
        var words = reply.Split(' ');
        return words.Length > maxTokens
            ? new Answer(string.Join(' ', words.Take(maxTokens)), "max_tokens", null)
            : new Answer(reply, "end_turn", null);
    }

    private static JsonNode? FindBlock(JsonNode? message, string type)
    {
        if (message?["content"] is JsonArray blocks)
        {
            foreach (var block in blocks)
            {
                if (block?["type"]?.GetValue<string>() == type)
                {
                    return block;
                }
            }
        }

        return null;
    }

    private static string Text(JsonNode? message)
    {
        var content = message?["content"];
        if (content is JsonValue value)
        {
            return value.GetValue<string>();
        }

        var text = new StringBuilder();
        if (content is JsonArray blocks)
        {
            foreach (var block in blocks)
            {
                if (block?["type"]?.GetValue<string>() == "text")
                {
                    text.Append(block["text"]?.GetValue<string>());
                }
            }
        }

        return text.ToString();
    }

    private static string? SystemText(JsonNode request) => request["system"] switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray a => string.Concat(a.Select(b => b?["text"]?.GetValue<string>())),
        _ => null,
    };

    private sealed record ToolCall(string Id, string Name, string InputJson);

    private sealed record Answer(string Text, string StopReason, ToolCall? Tool);
}
