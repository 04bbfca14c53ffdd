namespace OtelLlm.Demo.Traffic;

/// <summary>One kind of user request a demo service handles; each makes one or more model calls.</summary>
/// <param name="Name">The workload name, recorded as <c>otel_llm.workload</c>.</param>
/// <param name="Service">The service (index into the generator's services) that handles it.</param>
/// <param name="Route">The HTTP route of the service's request span.</param>
/// <param name="Weight">How often it is picked relative to the others after the first round.</param>
internal sealed record ScenarioKind(string Name, int Service, string Route, double Weight);
