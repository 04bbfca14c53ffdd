using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace OtelLlm.Receiver.Api;

/// <summary>
/// Reads rows of ClickHouse's <c>JSONEachRow</c> straight into the API's records: the SQL names each column after the
/// record's property (and computes what the record shows, see <see cref="ApiSql.IsoNanos"/>), and these rules cover
/// what the JSON of ClickHouse 18.16 writes differently: 64-bit integers quoted, flags as 0 or 1, and an empty string
/// column is <see langword="null"/> in a property that may be <see langword="null"/>.
/// </summary>
internal static class ApiRows
{
    private static readonly JsonSerializerOptions s_options = Options(null);
    private static readonly ConcurrentDictionary<string, JsonSerializerOptions> s_prefixed = new(StringComparer.Ordinal);

    /// <summary>A <typeparamref name="T"/> from <paramref name="row"/>'s columns named after its properties.</summary>
    public static T Read<T>(JsonElement row) => row.Deserialize<T>(s_options)!;

    /// <summary>
    /// A <typeparamref name="T"/> from the columns named <paramref name="prefix"/> and its property name
    /// (<c>CallModel</c> for <c>Model</c>): a record nested in a flat row.
    /// </summary>
    public static T Read<T>(JsonElement row, string prefix)
        => row.Deserialize<T>(s_prefixed.GetOrAdd(prefix, static p => Options(new PrefixPolicy(p))))!;

    /// <summary>The rows' records, in order.</summary>
    public static List<T> ReadAll<T>(IEnumerable<JsonElement> rows) => [.. rows.Select(Read<T>)];

    private static JsonSerializerOptions Options(JsonNamingPolicy? naming)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = naming,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { EmptyAsNull } },
        };
        options.Converters.Add(new FlagConverter());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Gives every <c>string?</c> property the reading that turns an empty column into <see langword="null"/>.</summary>
    private static void EmptyAsNull(JsonTypeInfo info)
    {
        foreach (var property in info.Properties)
        {
            if (property.PropertyType == typeof(string) && property.IsSetNullable)
            {
                property.CustomConverter = EmptyAsNullConverter.Instance;
            }
        }
    }

    private sealed class EmptyAsNullConverter : JsonConverter<string>
    {
        public static readonly EmptyAsNullConverter Instance = new();

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.GetString() is { Length: > 0 } s ? s : null;

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>A <c>UInt8</c> flag (0 or 1) as a <see langword="bool"/>.</summary>
    private sealed class FlagConverter : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.Number ? reader.GetInt64() != 0 : reader.GetBoolean();

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }

    private sealed class PrefixPolicy(string prefix) : JsonNamingPolicy
    {
        public override string ConvertName(string name) => prefix + name;
    }
}
