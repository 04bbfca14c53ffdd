using OtelLlm.Demo.Cli;
using OtelLlm.Demo.Summary;

namespace OtelLlm.Demo.Tests;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("generate --callz 5", "Unknown option --callz")]
    [InlineData("generate --calls zero", "--calls must be a whole number")]
    [InlineData("generate --protocol udp", "--protocol must be grpc or http/protobuf")]
    [InlineData("generate --endpoint localhost:4317", "--endpoint must be an http:// or https:// URL")]
    [InlineData("summary --since yesterday", "--since must look like")]
    [InlineData("summary --to 2025-01-01T00:00:00Z", "--to needs --from")]
    [InlineData("deploy", "Unknown command 'deploy'")]
    public async Task Run_BadArguments_ExitWithUsageErrorAndMessage(string args, string message)
    {
        var (exit, _, error) = await GeneratedTrafficTests.RunAsync(args.Split(' '));
        Assert.Equal(DemoCommands.ExitUsage, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_PrintsEveryCommand()
    {
        var (exit, output, _) = await GeneratedTrafficTests.RunAsync(["help"]);
        Assert.Equal(0, exit);
        foreach (var command in new[] { "generate", "summary", "report", "run", "--calls", "--since", "--api-key" })
        {
            Assert.Contains(command, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_EnvironmentFallbacks_ApplyWhenNoOptionIsGiven()
    {
        var env = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://receiver:4318",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTELLLM_API_KEY"] = "k1",
            ["CLICKHOUSE_URL"] = "http://clickhouse:8123",
            ["OTELLLM_DATABASE"] = "llm",
        };
        var command = CommandLine.Parse(["--calls", "12"], name => env.GetValueOrDefault(name));
        var traffic = DemoCommands.ParseTraffic(command);
        var (clickHouse, _) = DemoCommands.ParseSummary(command, allowRange: true);
        Assert.Equal(new Uri("http://receiver:4318"), traffic.Endpoint);
        Assert.Equal("http/protobuf", traffic.Protocol);
        Assert.Equal("k1", traffic.ApiKey);
        Assert.Equal(12, traffic.Calls);
        Assert.Equal(new Uri("http://clickhouse:8123"), clickHouse.Url);
        Assert.Equal("llm", clickHouse.Database);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("1h", 3600)]
    [InlineData("7d", 604800)]
    public void DurationText_ParsesUnits(string text, int seconds)
    {
        Assert.True(DurationText.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }
}
