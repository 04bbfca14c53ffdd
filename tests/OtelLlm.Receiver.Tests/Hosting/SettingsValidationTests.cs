using Microsoft.Extensions.Options;

namespace OtelLlm.Receiver.Tests.Hosting;

/// <summary>Bad settings stop the receiver as it starts, before anything opens or listens, with one message naming every wrong setting.</summary>
public sealed class SettingsValidationTests
{
    [Fact]
    public void Start_ManyBadSettings_FailsOnceNamingEveryOne()
    {
        var e = Assert.Throws<OptionsValidationException>(() => ReceiverHost.Build(
        [
            "--OtelLlm:Receiver:GrpcPort=70000",
            "--OtelLlm:Receiver:HttpPort=0",
            "--OtelLlm:Receiver:ListenAddress=not-an-address",
            "--OtelLlm:Receiver:QueueMaxBytes=0",
            "--OtelLlm:Receiver:RetentionDays=-1",
            "--OtelLlm:ClickHouse:Url=ftp://127.0.0.1:8123",
            "--OtelLlm:ClickHouse:Database=otel-llm; DROP",
            "--OtelLlm:Receiver:Normalization:MaxContentChars=0",
            "--OtelLlm:Receiver:Normalization:EnergyFactorsPath=no-such-energy-file.json",
            "--OtelLlm:Receiver:Normalization:GridCarbonIntensity=-5",
            "--OtelLlm:Receiver:Wal:SegmentBytes=0",
            "--OtelLlm:Receiver:Auth:Keys=no-equals-sign",
            "--Logging:LogLevel:Default=None",
        ]));
        var problem = ReceiverHost.SettingsProblem(e);
        foreach (var setting in new[]
        {
            "OtelLlm:Receiver:GrpcPort = '70000'", "OtelLlm:Receiver:ListenAddress = 'not-an-address'", "OtelLlm:Receiver:QueueMaxBytes = '0'",
            "OtelLlm:Receiver:RetentionDays = '-1'", "OtelLlm:ClickHouse:Url = 'ftp://127.0.0.1:8123/'", "OtelLlm:ClickHouse:Database = 'otel-llm; DROP'",
            "OtelLlm:Receiver:Normalization:MaxContentChars = '0'", "OtelLlm:Receiver:Wal:SegmentBytes = '0'", "Auth:Keys must look like",
            "OtelLlm:Receiver:Normalization:EnergyFactorsPath = 'no-such-energy-file.json' names no file",
            "OtelLlm:Receiver:Normalization:GridCarbonIntensity = '-5'",
        })
        {
            Assert.Contains(setting, problem, StringComparison.Ordinal);
        }

        Assert.Contains("OtelLlm__Receiver__GrpcPort", problem, StringComparison.Ordinal);
        Assert.Equal(11, e.Failures.Count());
    }

    [Fact]
    public void Start_PublicAddressWithoutKeys_FailsNamingTheAuthSettings()
    {
        var e = Assert.Throws<OptionsValidationException>(() => ReceiverHost.Build(["--OtelLlm:Receiver:GrpcPort=0", "--OtelLlm:Receiver:HttpPort=0", "--OtelLlm:Receiver:ListenAddress=0.0.0.0", "--Logging:LogLevel:Default=None"]));
        Assert.Contains("Auth__Mode=None", Assert.Single(e.Failures), StringComparison.Ordinal);
    }
}
