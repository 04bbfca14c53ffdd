using OtelLlm.Instrumentation;

namespace Microsoft.Extensions.AI;

/// <summary>Adds OtelLlm instrumentation to chat clients and embedding generators in one line.</summary>
public static class OtelLlmChatClientExtensions
{
    /// <summary>Wraps the client in an <see cref="OtelLlmChatClient"/>.</summary>
    /// <param name="client">The client to instrument.</param>
    /// <param name="configure">Optional settings callback.</param>
    /// <returns>The instrumented client.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    public static IChatClient WithOtelLlm(this IChatClient client, Action<OtelLlmInstrumentationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var options = new OtelLlmInstrumentationOptions();
        configure?.Invoke(options);
        return new OtelLlmChatClient(client, options);
    }

    /// <summary>Wraps the generator in an <see cref="OtelLlmEmbeddingGenerator{TInput, TEmbedding}"/>.</summary>
    /// <typeparam name="TInput">The input type, usually <see cref="string"/>.</typeparam>
    /// <typeparam name="TEmbedding">The embedding type, usually <see cref="Embedding{T}"/> of <see cref="float"/>.</typeparam>
    /// <param name="generator">The generator to instrument.</param>
    /// <param name="configure">Optional settings callback.</param>
    /// <returns>The instrumented generator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is <see langword="null"/>.</exception>
    public static IEmbeddingGenerator<TInput, TEmbedding> WithOtelLlm<TInput, TEmbedding>(
        this IEmbeddingGenerator<TInput, TEmbedding> generator,
        Action<OtelLlmInstrumentationOptions>? configure = null)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(generator);
        var options = new OtelLlmInstrumentationOptions();
        configure?.Invoke(options);
        return new OtelLlmEmbeddingGenerator<TInput, TEmbedding>(generator, options);
    }
}
