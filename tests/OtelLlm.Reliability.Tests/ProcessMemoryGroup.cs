namespace OtelLlm.Reliability.Tests;

/// <summary>
/// Tests that bound this process's managed heap (<see cref="GC.GetTotalMemory(bool)"/>) run alone, after the parallel
/// ones: what other test classes allocate at the same moment would otherwise count against the receiver under test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryGroup
{
    public const string Name = "process memory";
}
