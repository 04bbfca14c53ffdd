using Microsoft.Extensions.AI;

namespace OtelLlm.Demo.Traffic;

/// <summary>An embedding generator that answers like OpenAI's embeddings endpoint: usage, dimensions, scaled latency.</summary>
internal sealed class SimulatedEmbeddingGenerator(ModelProfile profile, SimulatedBehavior behavior, int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata = new(profile.Provider, profile.Endpoint, profile.Model, dimensions);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values as IList<string> ?? [.. values];
        long tokens = 0;
        foreach (var input in inputs)
        {
            tokens += Math.Max(1, input.Length / 4);
        }

        await Task.Delay(behavior.Scale(behavior.Jitter(profile.LatencyMs + (tokens / 10))), cancellationToken);
        var fault = options?.AdditionalProperties?.TryGetValue(SimulatedFaults.PropertyKey, out var forced) == true && forced is SimulatedFault f
            ? f
            : behavior.RandomFault(profile.ErrorRate);
        if (fault != SimulatedFault.None)
        {
            throw SimulatedFaults.Create(fault, profile);
        }

        var embeddings = new List<Embedding<float>>(inputs.Count);
        foreach (var input in inputs)
        {
            var vector = new float[dimensions];
            var hash = (uint)StringComparer.Ordinal.GetHashCode(input);
            for (var i = 0; i < vector.Length; i++)
            {
                hash = (hash * 1664525) + 1013904223;
                vector[i] = (hash / (float)uint.MaxValue) - 0.5f;
            }

            embeddings.Add(new Embedding<float>(vector) { ModelId = profile.ResponseModel, CreatedAt = DateTimeOffset.UtcNow });
        }

        return new GeneratedEmbeddings<Embedding<float>>(embeddings)
        {
            Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : null;

    public void Dispose()
    {
    }
}
