using System.Diagnostics;
using System.Globalization;
using Anthropic;
using Anthropic.Exceptions;
using Microsoft.Extensions.AI;
using OtelLlm.Instrumentation;
using OtelLlm.Samples.FakeAnthropic;

namespace OtelLlm.Demo.Traffic;

/// <summary>
/// Runs simulated traffic of three services through the OtelLlm instrumentation: a support bot on Claude (through
/// the real Anthropic SDK against a local fake Messages API) with tool calls and streaming, a search API doing
/// embeddings and retrieval-augmented answers on GPT-4o, and a summarizer on Claude Haiku and o3-mini.
/// </summary>
internal sealed class TrafficGenerator
{
    public const int SupportBot = 0;
    public const int SearchApi = 1;
    public const int Summarizer = 2;

    /// <summary>Every scenario kind; the first round runs each once, so even a small run covers every model and outcome.</summary>
    public static IReadOnlyList<ScenarioKind> Kinds { get; } =
    [
        new("support-chat", SupportBot, "/v1/support/messages", 3),
        new("support-stream", SupportBot, "/v1/support/stream", 3),
        new("support-order-lookup", SupportBot, "/v1/support/messages", 2),
        new("ticket-triage", SupportBot, "/v1/tickets/triage", 3),
        new("semantic-search", SearchApi, "/v1/search", 3),
        new("search-answer-retry", SearchApi, "/v1/search", 0.4),
        new("summarize-document", Summarizer, "/v1/summaries", 2.5),
        new("deep-analysis", Summarizer, "/v1/analysis", 1),
        new("deep-analysis-timeout", Summarizer, "/v1/analysis", 0.2),
    ];

    public static IReadOnlyList<string> ServiceNames { get; } = ["support-bot", "search-api", "summarizer"];

    private static readonly string[] s_serviceVersions = ["2.3.1", "1.8.0", "0.9.4"];

    private const string SupportInstructions =
        "You are the support assistant of Northwind Outfitters. Answer in two or three sentences, be friendly and precise, " +
        "never promise refunds above 200 USD without a human agent, and use the lookup_order tool for any question about an order.";

    private const string SummaryInstructions =
        "You summarize internal documents for busy readers. Produce at most five bullet points, keep numbers exact, name owners " +
        "and deadlines, and end with one line of open questions. Do not invent facts that are not in the document.";

    private static readonly string[] s_questions =
    [
        "How do I change the shipping address on my order?",
        "My jacket arrived with a broken zipper, what can I do?",
        "Can I upgrade to the Pro plan in the middle of the month?",
        "Why was my card charged twice?",
        "Do you ship to Norway and how long does it take?",
        "How do I reset my password if I no longer have the email?",
        "Is the trail backpack waterproof?",
    ];

    private static readonly string[] s_searches =
    [
        "waterproof hiking boots under 150 dollars",
        "return policy for sale items",
        "how to wash merino wool",
        "tent for four people lightweight",
        "gift card balance",
    ];

    private static readonly string[] s_documents =
    [
        "Q3 planning notes: the checkout migration slips two weeks to 14 October; owner Dana. Budget for the CDN renewal is 48,000 USD. " +
        "Open: whether search moves to the new cluster before Black Friday.",
        "Incident 2291: between 09:12 and 09:47 UTC the payments API returned 502 for 8% of requests after a config push. Rolled back by Sam. " +
        "Follow-ups: canary for config pushes (owner Lee, due 30 Sept), alert on 5xx ratio.",
        "Customer interview summary: 11 of 14 users want order tracking by SMS; 6 mentioned confusing size charts; pricing was not a concern.",
    ];

    private readonly TrafficOptions _options;
    private readonly TrafficLedger _ledger = new();

    public TrafficGenerator(TrafficOptions options)
    {
        _options = options;
    }

    public TrafficLedger Ledger => _ledger;

    public async Task<GenerationResult> RunAsync(TextWriter output, bool interactive, CancellationToken cancellationToken = default)
    {
        using var exportFailures = new ExportFailureListener();
        var started = DateTime.UtcNow;
        await using var fakeAnthropic = await FakeAnthropicServer.StartAsync(cancellationToken: cancellationToken);
        var behavior = new SimulatedBehavior(_options.Seed, _options.LatencyScale);
        var services = new DemoService[ServiceNames.Count];
        for (var i = 0; i < services.Length; i++)
        {
            services[i] = new DemoService(ServiceNames[i], s_serviceVersions[i], _options, recordsHttpCalls: i == SupportBot);
        }

        var flushed = true;
        try
        {
            var clients = new Clients(services, behavior, fakeAnthropic.BaseUrl, _ledger);
            var progress = new ProgressReporter(output, interactive, Math.Max(_options.Calls, 1));
            var next = -1;
            var workers = new Task[Math.Max(1, _options.Concurrency)];
            for (var w = 0; w < workers.Length; w++)
            {
                workers[w] = Task.Run(
                    async () =>
                    {
                        while (true)
                        {
                            var index = Interlocked.Increment(ref next);
                            if (index >= Kinds.Count && _ledger.Total >= _options.Calls)
                            {
                                return;
                            }

                            var random = new Random(HashCode.Combine(_options.Seed, index));
                            var kind = index < Kinds.Count ? Kinds[index] : Pick(random);
                            await RunScenarioAsync(kind, index, random, services[kind.Service], clients, cancellationToken);
                            progress.Report(_ledger.Total, _ledger.Errors);
                        }
                    },
                    cancellationToken);
            }

            await Task.WhenAll(workers);
            progress.Complete(_ledger.Total, _ledger.Errors);
            clients.Dispose();
        }
        finally
        {
            foreach (var service in services)
            {
                flushed &= service.Flush(60_000);
                service.Dispose();
            }
        }

        return new GenerationResult(started, DateTime.UtcNow, _ledger.Total, _ledger.Errors, _ledger.Lines(), flushed, exportFailures.Failures, exportFailures.FirstMessage);
    }

    private static ScenarioKind Pick(Random random)
    {
        var total = Kinds.Sum(k => k.Weight);
        var roll = random.NextDouble() * total;
        foreach (var kind in Kinds)
        {
            roll -= kind.Weight;
            if (roll < 0)
            {
                return kind;
            }
        }

        return Kinds[0];
    }

    private async Task RunScenarioAsync(ScenarioKind kind, int index, Random random, DemoService service, Clients clients, CancellationToken ct)
    {
        var user = "user-" + (1 + random.Next(40)).ToString("D3", CultureInfo.InvariantCulture);
        var session = "sess-" + user[5..] + "-" + (1 + random.Next(3)).ToString(CultureInfo.InvariantCulture);
        var conversation = "conv-" + index.ToString("D5", CultureInfo.InvariantCulture) + "-" + _options.Seed.ToString(CultureInfo.InvariantCulture);
        var plan = random.NextDouble() < 0.3 ? "pro" : "free";
        using var request = service.Source.StartActivity("POST " + kind.Route, ActivityKind.Server);
        request?.SetTag(DemoNames.Http.RequestMethod, "POST");
        request?.SetTag(DemoNames.Http.Route, kind.Route);
        using var scope = OtelLlmContext.Begin(userId: user, sessionId: session, conversationId: conversation, workload: kind.Name, tags: [new("plan", plan)]);
        var ok = kind.Name switch
        {
            "support-chat" => await SupportChatAsync(service, clients, random, ct),
            "support-stream" => await SupportStreamAsync(service, clients, random, ct),
            "support-order-lookup" => await OrderLookupAsync(service, clients, random, ct),
            "ticket-triage" => await TriageAsync(service, clients, random, ct),
            "semantic-search" => await SearchAsync(service, clients, random, ct),
            "search-answer-retry" => await SearchRetryAsync(service, clients, random, ct),
            "summarize-document" => await SummarizeAsync(service, clients, random, ct),
            "deep-analysis" => await AnalysisAsync(service, clients, random, SimulatedFault.None, ct),
            "deep-analysis-timeout" => await AnalysisAsync(service, clients, random, SimulatedFault.Timeout, ct),
            _ => throw new InvalidOperationException("Unknown scenario " + kind.Name),
        };
        request?.SetTag(DemoNames.Http.ResponseStatusCode, ok ? 200 : 503);
        request?.SetStatus(ok ? ActivityStatusCode.Unset : ActivityStatusCode.Error, ok ? null : "upstream model call failed");
    }

    private async Task<bool> SupportChatAsync(DemoService service, Clients clients, Random random, CancellationToken ct)
    {
        List<ChatMessage> history = [new(ChatRole.User, s_questions[random.Next(s_questions.Length)])];
        var options = new ChatOptions { Instructions = SupportInstructions, Temperature = 0.3f, MaxOutputTokens = 400 };
        var first = await ChatAsync(service, clients.Sonnet, ModelCatalog.ClaudeSonnet, history, options, streaming: false, ct);
        if (first is null)
        {
            return false;
        }

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "Thanks! And how long does that usually take?"));
        return await ChatAsync(service, clients.Sonnet, ModelCatalog.ClaudeSonnet, history, options, streaming: false, ct) is not null;
    }

    private async Task<bool> SupportStreamAsync(DemoService service, Clients clients, Random random, CancellationToken ct)
    {
        List<ChatMessage> history = [new(ChatRole.User, s_questions[random.Next(s_questions.Length)])];
        var options = new ChatOptions { Instructions = SupportInstructions, Temperature = 0.3f, MaxOutputTokens = 400 };
        return await ChatAsync(service, clients.Sonnet, ModelCatalog.ClaudeSonnet, history, options, streaming: true, ct) is not null;
    }

    private static async Task<bool> OrderLookupAsync(DemoService service, Clients clients, Random random, CancellationToken ct)
    {
        // Microsoft.Extensions.AI's function-invocation loop: the model asks for the tool, the loop runs it (an
        // execute_tool span) and asks again. Each model call is counted in the ledger by the pipeline itself.
        var order = "NW-" + random.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture);
        var options = new ChatOptions { Instructions = SupportInstructions, Tools = [clients.OrderTool], MaxOutputTokens = 400 };
        try
        {
            await clients.SonnetWithTools.GetResponseAsync([new ChatMessage(ChatRole.User, $"Where is my order {order}?")], options, ct);
            return true;
        }
        catch (Exception e) when (IsProviderFailure(e))
        {
            return false;
        }
    }

    private async Task<bool> TriageAsync(DemoService service, Clients clients, Random random, CancellationToken ct)
    {
        var ticket = s_questions[random.Next(s_questions.Length)];
        var options = new ChatOptions
        {
            Instructions = "Classify the ticket as one of: billing, shipping, account, product. Answer with the label only.",
            Temperature = 0f,
            MaxOutputTokens = random.NextDouble() < 0.15 ? 4 : 20,
            ResponseFormat = ChatResponseFormat.Text,
        };
        return await ChatAsync(service, clients.For(service, ModelCatalog.Gpt4oMini), ModelCatalog.Gpt4oMini.Model, [new(ChatRole.User, ticket)], options, streaming: false, ct) is not null;
    }

    private async Task<bool> SearchAsync(DemoService service, Clients clients, Random random, CancellationToken ct)
    {
        var query = s_searches[random.Next(s_searches.Length)];
        if (!await EmbedAsync(service, clients, [query], ct))
        {
            return false;
        }

        var options = new ChatOptions { Instructions = "Answer from the retrieved passages only; cite passage numbers.", Temperature = 0.2f, TopP = 0.9f };
        var prompt = $"Question: {query}\nPassages: [1] Our boots are waterproof to 2 m. [2] Sale items can be returned within 14 days.";
        return await ChatAsync(service, clients.For(service, ModelCatalog.Gpt4o), ModelCatalog.Gpt4o.Model, [new(ChatRole.User, prompt)], options, streaming: random.NextDouble() < 0.6, ct) is not null;
    }

    private async Task<bool> SearchRetryAsync(DemoService service, Clients clients, Random random, CancellationToken ct)
    {
        var query = s_searches[random.Next(s_searches.Length)];
        var client = clients.For(service, ModelCatalog.Gpt4o);
        List<ChatMessage> messages = [new(ChatRole.User, "Question: " + query)];

        // The first attempt is refused with 429, as a busy provider does; the service backs off and retries once.
        var refused = new ChatOptions { AdditionalProperties = new() { [SimulatedFaults.PropertyKey] = SimulatedFault.RateLimit } };
        await ChatAsync(service, client, ModelCatalog.Gpt4o.Model, messages, refused, streaming: false, ct);
        await Task.Delay(TimeSpan.FromMilliseconds(2000 * _options.LatencyScale), ct);
        return await ChatAsync(service, client, ModelCatalog.Gpt4o.Model, messages, new ChatOptions(), streaming: false, ct) is not null;
    }

    private async Task<bool> SummarizeAsync(DemoService service, Clients clients, Random random, CancellationToken ct)
    {
        var document = s_documents[random.Next(s_documents.Length)];
        var options = new ChatOptions { Instructions = SummaryInstructions, MaxOutputTokens = 300 };
        return await ChatAsync(service, clients.For(service, ModelCatalog.ClaudeHaiku), ModelCatalog.ClaudeHaiku.Model, [new(ChatRole.User, document)], options, streaming: random.NextDouble() < 0.5, ct) is not null;
    }

    private async Task<bool> AnalysisAsync(DemoService service, Clients clients, Random random, SimulatedFault fault, CancellationToken ct)
    {
        var document = s_documents[random.Next(s_documents.Length)];
        var options = new ChatOptions { Instructions = "Find risks and contradictions in the document and rank them.", MaxOutputTokens = 2000 };
        if (fault != SimulatedFault.None)
        {
            options.AdditionalProperties = new() { [SimulatedFaults.PropertyKey] = fault };
        }

        return await ChatAsync(service, clients.For(service, ModelCatalog.O3Mini), ModelCatalog.O3Mini.Model, [new(ChatRole.User, document)], options, streaming: false, ct) is not null;
    }

    private async Task<bool> EmbedAsync(DemoService service, Clients clients, IList<string> inputs, CancellationToken ct)
    {
        try
        {
            await clients.Embeddings(service).GenerateAsync(inputs, cancellationToken: ct);
            _ledger.Record(service.Name, ModelCatalog.TextEmbedding.Model, failed: false, streaming: false);
            return true;
        }
        catch (Exception e) when (IsProviderFailure(e))
        {
            _ledger.Record(service.Name, ModelCatalog.TextEmbedding.Model, failed: true, streaming: false);
            return false;
        }
    }

    private async Task<ChatResponse?> ChatAsync(
        DemoService service,
        IChatClient client,
        string model,
        IList<ChatMessage> messages,
        ChatOptions options,
        bool streaming,
        CancellationToken ct)
    {
        try
        {
            ChatResponse response;
            if (streaming)
            {
                List<ChatResponseUpdate> updates = [];
                await foreach (var update in client.GetStreamingResponseAsync(messages, options, ct))
                {
                    updates.Add(update);
                }

                response = updates.ToChatResponse();
            }
            else
            {
                response = await client.GetResponseAsync(messages, options, ct);
            }

            _ledger.Record(service.Name, model, failed: false, streaming);
            return response;
        }
        catch (Exception e) when (IsProviderFailure(e))
        {
            _ledger.Record(service.Name, model, failed: true, streaming);
            return null;
        }
    }

    private static bool IsProviderFailure(Exception e) => e is HttpRequestException or TimeoutException or AnthropicException;

    /// <summary>The instrumented clients, one per service and model, created once per run.</summary>
    private sealed class Clients : IDisposable
    {
        private readonly Dictionary<(string, string), IChatClient> _chat = [];
        private readonly Dictionary<string, IEmbeddingGenerator<string, Embedding<float>>> _embeddings = [];
        private readonly SimulatedBehavior _behavior;
        private readonly AnthropicClient _anthropic;
        private readonly IChatClient _anthropicChat;

        public Clients(DemoService[] services, SimulatedBehavior behavior, Uri fakeAnthropic, TrafficLedger ledger)
        {
            _behavior = behavior;
            _anthropic = new AnthropicClient { ApiKey = "demo-key", BaseUrl = fakeAnthropic.ToString().TrimEnd('/'), MaxRetries = 0 };

            // The fake server answers at once; the delay stands in for the network and the model, inside the span.
            _anthropicChat = new ProviderLatencyChatClient(_anthropic.AsIChatClient(ModelCatalog.ClaudeSonnet, 1024), behavior, 1500, 500);
            var supportBot = services[SupportBot];
            Sonnet = _anthropicChat.WithOtelLlm(supportBot.Configure);

            // The ledger counts each model call of the tool loop from inside it, where the calls are one by one.
            SonnetWithTools = new ChatClientBuilder(_anthropicChat)
                .UseFunctionInvocation()
                .UseOtelLlm(supportBot.Configure)
                .Use(
                    async (messages, options, inner, ct) =>
                    {
                        try
                        {
                            var response = await inner.GetResponseAsync(messages, options, ct);
                            ledger.Record(supportBot.Name, ModelCatalog.ClaudeSonnet, failed: false, streaming: false);
                            return response;
                        }
                        catch (Exception e) when (IsProviderFailure(e))
                        {
                            ledger.Record(supportBot.Name, ModelCatalog.ClaudeSonnet, failed: true, streaming: false);
                            throw;
                        }
                    },
                    getStreamingResponseFunc: null)
                .Build();
            OrderTool = AIFunctionFactory.Create(
                (string location) => $"Order {location.Trim()} shipped on Monday with UPS, tracking 1Z999AA10123456784, arriving Thursday.",
                "lookup_order",
                "Looks up the shipping status of an order by its number or the customer's question");
            foreach (var service in services)
            {
                _embeddings[service.Name] = new SimulatedEmbeddingGenerator(ModelCatalog.TextEmbedding, behavior, 1536).WithOtelLlm(service.Configure);
            }
        }

        /// <summary>claude-sonnet-4-5 through the real Anthropic SDK, as the support bot uses it.</summary>
        public IChatClient Sonnet { get; }

        /// <summary>claude-sonnet-4-5 behind the function-invocation loop.</summary>
        public IChatClient SonnetWithTools { get; }

        /// <summary>The order lookup tool the support bot offers.</summary>
        public AIFunction OrderTool { get; }

        public IChatClient For(DemoService service, ModelProfile profile)
        {
            lock (_chat)
            {
                if (!_chat.TryGetValue((service.Name, profile.Model), out var client))
                {
                    client = new SimulatedChatClient(profile, _behavior).WithOtelLlm(service.Configure);
                    _chat[(service.Name, profile.Model)] = client;
                }

                return client;
            }
        }

        public IEmbeddingGenerator<string, Embedding<float>> Embeddings(DemoService service) => _embeddings[service.Name];

        public void Dispose()
        {
            foreach (var client in _chat.Values)
            {
                client.Dispose();
            }

            foreach (var generator in _embeddings.Values)
            {
                generator.Dispose();
            }

            Sonnet.Dispose();
            SonnetWithTools.Dispose();
        }
    }
}

/// <summary>What a generation run sent and whether it reached the receiver.</summary>
internal sealed record GenerationResult(
    DateTime StartedUtc,
    DateTime FinishedUtc,
    int Calls,
    int Errors,
    IReadOnlyList<LedgerLine> Lines,
    bool Flushed,
    int ExportFailures,
    string? FirstExportError)
{
    public bool Exported => Flushed && ExportFailures == 0;
}
