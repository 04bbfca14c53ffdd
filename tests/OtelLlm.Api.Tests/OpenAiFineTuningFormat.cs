using System.Text.Json;

namespace OtelLlm.Api.Tests;

/// <summary>
/// The rules OpenAI's chat fine-tuning applies to each line of a training file (its fine-tuning guide, the tool-calling
/// examples, and the format checks of its cookbook's chat data preparation notebook): a JSON object with a non-empty
/// <c>messages</c> list and optional <c>tools</c>; each message has a known role and only known keys; system and user
/// messages carry text; an assistant message carries text or <c>tool_calls</c> of <c>{id, type:"function",
/// function:{name, arguments}}</c> with arguments a JSON string; a tool message answers an earlier call by
/// <c>tool_call_id</c>; system messages come first; there is at least one assistant message, and the last one is.
/// </summary>
public static class OpenAiFineTuningFormat
{
    private static readonly HashSet<string> s_roles = ["system", "user", "assistant", "tool"];
    private static readonly HashSet<string> s_messageKeys = ["role", "content", "name", "weight", "tool_calls", "tool_call_id"];
    private static readonly HashSet<string> s_exampleKeys = ["messages", "tools", "parallel_tool_calls"];

    /// <summary>Every way <paramref name="line"/> breaks the rules; empty when it is a valid example.</summary>
    public static List<string> Problems(string line)
    {
        var problems = new List<string>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            return [$"not JSON: {ex.Message}"];
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ["data_type: the line is not an object"];
            }

            problems.AddRange(root.EnumerateObject().Where(p => !s_exampleKeys.Contains(p.Name)).Select(p => $"unrecognized example key '{p.Name}'"));
            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            {
                problems.Add("missing_messages_list");
                return problems;
            }

            var callIds = new HashSet<string>(StringComparer.Ordinal);
            var seenNonSystem = false;
            var index = 0;
            foreach (var m in messages.EnumerateArray())
            {
                var at = $"messages[{index++}]";
                if (m.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{at}: not an object");
                    continue;
                }

                problems.AddRange(m.EnumerateObject().Where(p => !s_messageKeys.Contains(p.Name)).Select(p => $"{at}: message_unrecognized_key '{p.Name}'"));
                var role = m.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : null;
                if (role is null || !s_roles.Contains(role))
                {
                    problems.Add($"{at}: unrecognized_role '{role}'");
                    continue;
                }

                var hasText = m.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && content.GetString()!.Length > 0;
                if (m.TryGetProperty("content", out content) && content.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    problems.Add($"{at}: content is not a string");
                }

                if (role == "system")
                {
                    if (seenNonSystem)
                    {
                        problems.Add($"{at}: a system message after the conversation started");
                    }
                }
                else
                {
                    seenNonSystem = true;
                }

                switch (role)
                {
                    case "system" or "user" when !hasText:
                        problems.Add($"{at}: missing_content");
                        break;
                    case "assistant":
                        var calls = m.TryGetProperty("tool_calls", out var tc) ? tc : default;
                        if (calls.ValueKind != JsonValueKind.Undefined)
                        {
                            CheckToolCalls(calls, at, callIds, problems);
                        }

                        if (!hasText && (calls.ValueKind != JsonValueKind.Array || calls.GetArrayLength() == 0))
                        {
                            problems.Add($"{at}: an assistant message without content or tool_calls");
                        }

                        break;
                    case "tool":
                        var id = m.TryGetProperty("tool_call_id", out var tid) && tid.ValueKind == JsonValueKind.String ? tid.GetString()! : null;
                        if (id is null || !callIds.Contains(id))
                        {
                            problems.Add($"{at}: tool_call_id '{id}' answers no earlier tool call");
                        }

                        if (!m.TryGetProperty("content", out var tcContent) || tcContent.ValueKind != JsonValueKind.String)
                        {
                            problems.Add($"{at}: a tool message needs string content");
                        }

                        break;
                }

                if (role != "assistant" && m.TryGetProperty("tool_calls", out _))
                {
                    problems.Add($"{at}: tool_calls on a {role} message");
                }

                if (role != "tool" && m.TryGetProperty("tool_call_id", out _))
                {
                    problems.Add($"{at}: tool_call_id on a {role} message");
                }
            }

            var roles = messages.EnumerateArray().Select(m => m.TryGetProperty("role", out var r) ? r.GetString() : null).ToList();
            if (!roles.Contains("assistant"))
            {
                problems.Add("example_missing_assistant_message");
            }

            if (roles[^1] != "assistant")
            {
                problems.Add($"the last message is '{roles[^1]}', not the assistant's");
            }

            if (root.TryGetProperty("tools", out var tools))
            {
                CheckTools(tools, problems);
            }
        }

        return problems;
    }

    private static void CheckToolCalls(JsonElement calls, string at, HashSet<string> ids, List<string> problems)
    {
        if (calls.ValueKind != JsonValueKind.Array || calls.GetArrayLength() == 0)
        {
            problems.Add($"{at}: tool_calls is not a non-empty array");
            return;
        }

        foreach (var call in calls.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Object || call.EnumerateObject().Any(p => p.Name is not ("id" or "type" or "function")))
            {
                problems.Add($"{at}: a tool call has keys other than id, type, function");
                continue;
            }

            if (!call.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString()!.Length == 0)
            {
                problems.Add($"{at}: a tool call without an id");
            }
            else
            {
                ids.Add(id.GetString()!);
            }

            if (!call.TryGetProperty("type", out var type) || type.GetString() != "function")
            {
                problems.Add($"{at}: a tool call whose type is not 'function'");
            }

            if (!call.TryGetProperty("function", out var f) || f.ValueKind != JsonValueKind.Object
                || !f.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0
                || !f.TryGetProperty("arguments", out var args) || args.ValueKind != JsonValueKind.String)
            {
                problems.Add($"{at}: a tool call's function needs a name and string arguments");
                continue;
            }

            try
            {
                using var parsed = JsonDocument.Parse(args.GetString()!);
            }
            catch (JsonException)
            {
                problems.Add($"{at}: arguments are not JSON text");
            }
        }
    }

    private static void CheckTools(JsonElement tools, List<string> problems)
    {
        if (tools.ValueKind != JsonValueKind.Array)
        {
            problems.Add("tools is not an array");
            return;
        }

        foreach (var tool in tools.EnumerateArray())
        {
            if (!tool.TryGetProperty("type", out var type) || type.GetString() != "function"
                || !tool.TryGetProperty("function", out var f) || f.ValueKind != JsonValueKind.Object
                || !f.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || (f.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Object)
                || (f.TryGetProperty("description", out var d) && d.ValueKind != JsonValueKind.String))
            {
                problems.Add($"a tool definition is not {{type:'function', function:{{name, description?, parameters?}}}}: {tool.GetRawText()}");
            }
        }
    }
}
