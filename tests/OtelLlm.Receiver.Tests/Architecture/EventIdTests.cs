using System.Reflection;
using System.Text.RegularExpressions;
using OtelLlm.Receiver.Diagnostics;

namespace OtelLlm.Receiver.Tests.Architecture;

/// <summary>Every log event the receiver writes has its id in the one registry, ids are unique, and the operations guide lists them.</summary>
public sealed partial class EventIdTests
{
    private static readonly (string Name, int Id)[] s_registry =
        [.. typeof(ReceiverEventIds).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (f.Name, (int)f.GetRawConstantValue()!))];

    [Fact]
    public void Registry_IdsAreUnique()
        => Assert.Equal(s_registry.Length, s_registry.Select(e => e.Id).Distinct().Count());

    [Fact]
    public void EveryLoggerMessage_TakesItsIdFromTheRegistry()
    {
        var root = Path.Combine(RepositoryRoot(), "receiver", "OtelLlm.Receiver");
        var messages = 0;
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            foreach (Match m in LoggerMessage().Matches(File.ReadAllText(file)))
            {
                messages++;
                Assert.True(m.Groups["id"].Success, $"{Path.GetRelativePath(root, file)}: [LoggerMessage] without an EventId from ReceiverEventIds: {m.Value}");
            }
        }

        Assert.True(messages > 20, "too few [LoggerMessage] attributes found: is the source tree there?");
    }

    [Fact]
    public void OperationsGuide_ListsEveryId()
    {
        var guide = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "operations.md"));
        Assert.All(s_registry, e => Assert.Contains($"| {e.Id} |", guide, StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OtelLlm.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\[LoggerMessage\((?:EventId = ReceiverEventIds\.(?<id>\w+)|[^\]])*\]")]
    private static partial Regex LoggerMessage();
}
