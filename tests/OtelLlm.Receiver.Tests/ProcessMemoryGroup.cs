namespace OtelLlm.Receiver.Tests;

/// <summary>
/// Tests that bound how much this process's managed heap grows (<see cref="GC.GetTotalMemory(bool)"/>) run alone,
/// after the parallel ones: what other test classes allocate at the same moment would otherwise count against them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryGroup
{
    public const string Name = "process memory";
}
