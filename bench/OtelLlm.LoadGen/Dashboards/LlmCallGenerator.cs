using System.Globalization;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.LoadGen.Dashboards;

/// <summary>
/// Synthetic <c>llm_calls</c> rows with production-like skew: a few services and models carry most traffic, users
/// follow a long tail, 3% of calls fail, timestamps spread over the last 30 days with a daily cycle.
/// Rows come out in time order so each insert touches one or two day partitions. With <c>content</c> the successful chat
/// calls also carry a system prompt, a question and an answer in the OTel GenAI message schema (up to about 1 KB and
/// 500 characters, growing with their tokens, each call's own), as a receiver with content capture stores them; the
/// random sequence, and so every other column, is the same either way.
/// </summary>
internal sealed class LlmCallGenerator(long totalRows, DateTimeOffset end, int seed = 7, bool content = false)
{
    private static readonly string[] s_projects = ["default", "default", "default", "checkout", "internal-tools"];
    private static readonly string[] s_services = ["support-bot", "search-api", "summarizer", "agent-worker", "email-drafts", "code-review", "translator", "classifier"];
    private static readonly string[] s_environments = ["production", "production", "production", "production", "staging", "development"];
    private static readonly (string Provider, string Model, double InputPrice, double OutputPrice)[] s_models =
    [
        ("openai", "gpt-4o-mini", 0.15, 0.6),
        ("openai", "gpt-4o-mini", 0.15, 0.6),
        ("openai", "gpt-4o", 2.5, 10),
        ("openai", "o3-mini", 1.1, 4.4),
        ("anthropic", "claude-sonnet-4-5", 3, 15),
        ("anthropic", "claude-haiku-4-5", 1, 5),
        ("gcp.vertex_ai", "gemini-2.5-flash", 0.3, 2.5),
        ("aws.bedrock", "amazon.nova-pro-v1", 0.8, 3.2),
        ("openai", "text-embedding-3-small", 0.02, 0),
    ];

    private static readonly string[] s_errors = ["429", "timeout", "500", "context_length_exceeded"];
    private readonly Random _random = new(seed);
    private readonly LlmCallRow _row = new();
    private readonly DateTimeOffset _start = end - TimeSpan.FromDays(30);
    private long _produced;

    public long Produced => _produced;

    /// <summary>Writes the next <paramref name="count"/> rows (fewer at the end) and returns how many were written.</summary>
    public int WriteBatch(RowBinaryWriter writer, int count)
    {
        var spanTicks = (end - _start).Ticks;
        var written = 0;
        for (; written < count && _produced < totalRows; written++, _produced++)
        {
            var position = (double)_produced / totalRows;
            var ticks = _start.Ticks + (long)(position * spanTicks) + _random.Next(1_000_000);
            var startNano = (ulong)(ticks - DateTimeOffset.UnixEpoch.Ticks) * 100UL;
            Fill(startNano);
            _row.Write(writer);
        }

        return written;
    }

    private void Fill(ulong startNano)
    {
        var r = _row;
        var m = s_models[Skewed(s_models.Length)];
        var embeddings = m.Model.StartsWith("text-embedding", StringComparison.Ordinal);
        var failed = _random.Next(100) < 3;
        var input = (ulong)Math.Exp(4 + (_random.NextDouble() * 4));
        var output = embeddings || failed ? 0UL : (ulong)Math.Exp(3 + (_random.NextDouble() * 3.5));
        var cacheRead = _random.Next(4) == 0 ? input / 2 : 0;
        var streaming = !embeddings && _random.Next(10) < 4;
        var durationMs = embeddings ? (ulong)(50 + _random.Next(200)) : 300 + (output * (ulong)(5 + _random.Next(20))) + (ulong)_random.Next(500);
        var user = (int)(Math.Pow(_random.NextDouble(), 3) * 20_000);

        r.Project = s_projects[_random.Next(s_projects.Length)];
        r.StartTimeUnixNano = startNano;
        r.Duration = durationMs * 1_000_000UL;
        r.TraceId = Hex(16);
        r.SpanId = Hex(8);
        r.ParentSpanId = _random.Next(3) == 0 ? string.Empty : Hex(8);
        r.ServiceName = s_services[Skewed(s_services.Length)];
        r.Environment = s_environments[_random.Next(s_environments.Length)];
        r.Operation = embeddings ? "embeddings" : "chat";
        r.Provider = m.Provider;
        r.RequestModel = m.Model;
        r.ResponseModel = failed ? string.Empty : m.Model + "-2025-08-07";
        r.InputTokens = input;
        r.OutputTokens = output;
        r.CacheReadTokens = cacheRead;
        r.CacheWriteTokens = 0;
        r.ReasoningTokens = m.Model.StartsWith("o3", StringComparison.Ordinal) ? output / 2 : 0;
        r.TotalTokens = input + output;
        r.CostUsd = ((input * m.InputPrice) + (output * m.OutputPrice)) / 1_000_000.0;
        r.CostSource = "price_table";
        r.Streaming = streaming;
        r.TimeToFirstTokenMs = streaming ? 150 + _random.Next(900) : null;
        r.Temperature = embeddings ? null : 0.7;
        r.TopP = null;
        r.MaxTokens = embeddings ? null : 1024;
        r.FinishReasons.Clear();
        if (!failed && !embeddings)
        {
            r.FinishReasons.Add(_random.Next(20) == 0 ? "length" : "stop");
        }

        r.ResponseId = failed ? string.Empty : "resp_" + _produced.ToString(CultureInfo.InvariantCulture);
        r.ConversationId = "conv_" + (user * 37 + _random.Next(25)).ToString(CultureInfo.InvariantCulture);
        r.UserId = "user_" + user.ToString(CultureInfo.InvariantCulture);
        r.Workload = string.Empty;
        r.AgentName = string.Empty;
        r.ServerAddress = m.Provider == "openai" ? "api.openai.com" : m.Provider;
        r.StatusCode = failed ? "Error" : "Unset";
        r.ErrorType = failed ? s_errors[_random.Next(s_errors.Length)] : string.Empty;
        r.StatusMessage = failed ? "request failed" : string.Empty;
        r.SourceFormat = "otel_genai";
        r.Revision = 0;
        r.SystemInstructions = string.Empty;
        r.InputMessages = string.Empty;
        r.OutputMessages = string.Empty;
        if (content && !failed && !embeddings)
        {
            var call = _produced.ToString(CultureInfo.InvariantCulture);
            r.SystemInstructions = $$"""[{"type":"text","content":"You are the {{r.ServiceName}} assistant. Answer briefly and cite the order or ticket you used."}]""";
            r.InputMessages = $$"""[{"role":"user","parts":[{"type":"text","content":"Question {{call}}: {{Text(input, 1000)}}"}]}]""";
            r.OutputMessages = $$"""[{"role":"assistant","parts":[{"type":"text","content":"Answer {{call}}: {{Text(output, 500)}}"}],"finish_reason":"stop"}]""";
        }
    }

    // About four characters a token, at most max characters, from a fixed text (JSON-safe: no quotes or backslashes).
    private static string Text(ulong tokens, int max)
    {
        const string Words = "the order shipped on monday and the refund for the second item was approved by the support team after the customer sent the receipt ";
        var length = (int)Math.Min((ulong)max, Math.Max(20, tokens * 4));
        var text = new System.Text.StringBuilder(length);
        while (text.Length < length)
        {
            text.Append(Words, 0, Math.Min(Words.Length, length - text.Length));
        }

        return text.ToString();
    }

    // Index 0 is the most common; each next one roughly half as likely.
    private int Skewed(int count)
    {
        var i = 0;
        while (i < count - 1 && _random.Next(5) < 2)
        {
            i++;
        }

        return _random.Next(3) == 0 ? _random.Next(count) : i;
    }

    private string Hex(int bytes)
    {
        Span<byte> buffer = stackalloc byte[16];
        _random.NextBytes(buffer[..bytes]);
        return Convert.ToHexStringLower(buffer[..bytes]);
    }
}
