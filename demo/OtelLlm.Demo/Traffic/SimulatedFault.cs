using System.Net;

namespace OtelLlm.Demo.Traffic;

/// <summary>Failures a simulated provider can answer with, as its SDK would raise them.</summary>
internal enum SimulatedFault
{
    None,
    RateLimit,
    Timeout,
}

internal static class SimulatedFaults
{
    /// <summary>The <see cref="Microsoft.Extensions.AI.ChatOptions.AdditionalProperties"/> key a scenario sets to force a fault.</summary>
    public const string PropertyKey = "otel_llm_demo.fault";

    public static Exception Create(SimulatedFault fault, ModelProfile profile) => fault switch
    {
        SimulatedFault.RateLimit => new HttpRequestException(
            $"429 Too Many Requests: rate limit reached for {profile.Model} (requests per minute). Retry after 2s.",
            inner: null,
            HttpStatusCode.TooManyRequests),
        SimulatedFault.Timeout => new TimeoutException($"The request to {profile.Endpoint.Host} timed out after 30 s."),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "not a fault"),
    };
}
