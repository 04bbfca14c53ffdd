namespace OtelLlm.Semantics.Pricing;

/// <summary>
/// The usage units a price can be set for (<c>input_mtok</c>, <c>cache_read_mtok</c>, ...). Each unit is a set of
/// dimensions; a unit whose dimensions include another's is a part of it (cache reads are a part of input, audio cache
/// reads a part of both). A token is priced once, at the most specific unit the model has a price for, so a model
/// without an audio price bills audio input at the input price, and one without a cache-read price bills cache reads
/// as input. This is the unit model of the price data's source (<c>@pydantic/genai-prices</c>), reduced to what
/// spans report.
/// </summary>
internal sealed class PriceUnit
{
    private PriceUnit(int index, string priceKey, double per, Direction direction, Modality modality, TokenType tokenType, CacheTtl ttl, Func<TokenUsage, long> usage)
    {
        Index = index;
        PriceKey = priceKey;
        Per = per;
        _direction = direction;
        _modality = modality;
        _tokenType = tokenType;
        _ttl = ttl;
        Usage = usage;
    }

    private enum Direction { None, Input, Output }

    private enum Modality { Any, Audio, Image }

    private enum TokenType { Any, CacheRead, CacheWrite, Reasoning }

    private enum CacheTtl { Any, OneHour }

    /// <summary>Every unit OtelLlm prices, in a fixed order (<see cref="Index"/>).</summary>
    public static readonly PriceUnit[] All =
    [
        new(0, "input_mtok", 1e6, Direction.Input, Modality.Any, TokenType.Any, CacheTtl.Any, static u => u.InputTokens),
        new(1, "cache_read_mtok", 1e6, Direction.Input, Modality.Any, TokenType.CacheRead, CacheTtl.Any, static u => u.CacheReadTokens),
        new(2, "cache_write_mtok", 1e6, Direction.Input, Modality.Any, TokenType.CacheWrite, CacheTtl.Any, static u => u.CacheWriteTokens),
        new(3, "cache_write_1h_mtok", 1e6, Direction.Input, Modality.Any, TokenType.CacheWrite, CacheTtl.OneHour, static u => u.CacheWrite1hTokens),
        new(4, "input_audio_mtok", 1e6, Direction.Input, Modality.Audio, TokenType.Any, CacheTtl.Any, static u => u.InputAudioTokens),
        new(5, "cache_audio_read_mtok", 1e6, Direction.Input, Modality.Audio, TokenType.CacheRead, CacheTtl.Any, static u => u.CacheAudioReadTokens),
        new(6, "input_image_mtok", 1e6, Direction.Input, Modality.Image, TokenType.Any, CacheTtl.Any, static u => u.InputImageTokens),
        new(7, "output_mtok", 1e6, Direction.Output, Modality.Any, TokenType.Any, CacheTtl.Any, static u => u.OutputTokens),
        new(8, "output_reasoning_mtok", 1e6, Direction.Output, Modality.Any, TokenType.Reasoning, CacheTtl.Any, static u => u.ReasoningTokens),
        new(9, "output_audio_mtok", 1e6, Direction.Output, Modality.Audio, TokenType.Any, CacheTtl.Any, static u => u.OutputAudioTokens),
        new(10, "output_image_mtok", 1e6, Direction.Output, Modality.Image, TokenType.Any, CacheTtl.Any, static u => u.OutputImageTokens),
        new(11, "requests_kcount", 1e3, Direction.None, Modality.Any, TokenType.Any, CacheTtl.Any, static _ => 1),
    ];

    private readonly Direction _direction;
    private readonly Modality _modality;
    private readonly TokenType _tokenType;
    private readonly CacheTtl _ttl;

    /// <summary>Gets the unit's position in <see cref="All"/>.</summary>
    public int Index { get; }

    /// <summary>Gets the key of the unit's price in the price file.</summary>
    public string PriceKey { get; }

    /// <summary>Gets how many units one price is for (a million tokens, a thousand requests).</summary>
    public double Per { get; }

    /// <summary>Gets the reported count of this unit in a call's usage.</summary>
    public Func<TokenUsage, long> Usage { get; }

    /// <summary>Gets how many dimensions the unit fixes; more is more specific.</summary>
    public int Specificity => (_direction != Direction.None ? 1 : 0) + (_modality != Modality.Any ? 1 : 0) + (_tokenType != TokenType.Any ? 1 : 0) + (_ttl != CacheTtl.Any ? 1 : 0);

    /// <summary>Finds a unit by its price key.</summary>
    public static PriceUnit? ByPriceKey(string key)
    {
        foreach (var unit in All)
        {
            if (string.Equals(unit.PriceKey, key, StringComparison.Ordinal))
            {
                return unit;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="other"/> counts a part of what this unit counts (it fixes every dimension this one fixes, and more).</summary>
    public bool Contains(PriceUnit other) =>
        other != this
        && _direction != Direction.None
        && _direction == other._direction
        && (_modality == Modality.Any || _modality == other._modality)
        && (_tokenType == TokenType.Any || _tokenType == other._tokenType)
        && (_ttl == CacheTtl.Any || _ttl == other._ttl);
}
