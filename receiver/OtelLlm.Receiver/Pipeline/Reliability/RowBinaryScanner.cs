using System.Buffers.Binary;

namespace OtelLlm.Receiver.Pipeline.Reliability;

/// <summary>
/// Walks RowBinary rows using the column types ClickHouse reports, to find where each row starts and ends and to
/// read a few key columns. Supports the types our tables use: (U)Int8..64, Float32/64, Date, DateTime, UUID,
/// String, FixedString(N), Enum8/16, Nullable(T), Array(T).
/// </summary>
internal sealed class RowBinaryScanner
{
    private readonly Func<ReadOnlySpan<byte>, int>[] _skippers;

    /// <param name="types">The type of every column, in insert order.</param>
    public RowBinaryScanner(IReadOnlyList<string> types)
    {
        _skippers = [.. types.Select(Skipper)];
    }

    /// <summary>
    /// Finds where each row starts and ends and reads its call key (the <c>String</c> columns at
    /// <paramref name="traceIdColumn"/> and <paramref name="spanIdColumn"/>), its <c>DateTime</c> at
    /// <paramref name="timestampColumn"/> and its last column (the revision) as an unsigned integer, into
    /// <paramref name="rows"/>. Nothing is allocated per row.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes do not match the types.</exception>
    public void Scan(ReadOnlySpan<byte> data, Span<ScannedRow> rows, int traceIdColumn, int spanIdColumn, int timestampColumn)
    {
        var offset = 0;
        for (var r = 0; r < rows.Length; r++)
        {
            var start = offset;
            ReadOnlySpan<byte> traceId = default, spanId = default;
            uint timestamp = 0;
            ulong last = 0;
            for (var c = 0; c < _skippers.Length; c++)
            {
                var size = _skippers[c](data[offset..]);
                if (c == traceIdColumn || c == spanIdColumn)
                {
                    var length = (int)ReadVarUInt(data[offset..], out var n);
                    var text = data.Slice(offset + n, length);
                    if (c == traceIdColumn)
                    {
                        traceId = text;
                    }
                    else
                    {
                        spanId = text;
                    }
                }
                else if (c == timestampColumn && size == 4)
                {
                    timestamp = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
                }

                if (c == _skippers.Length - 1 && size is 1 or 2 or 4 or 8)
                {
                    last = size switch
                    {
                        1 => data[offset],
                        2 => BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]),
                        4 => BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]),
                        _ => BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]),
                    };
                }

                offset += size;
            }

            var hasKey = LlmCallKey.TryParse(traceId, spanId, out var key);
            rows[r] = new ScannedRow(start, offset, key, hasKey, timestamp, last);
        }

        if (offset != data.Length)
        {
            throw new InvalidDataException($"RowBinary has {data.Length - offset} bytes after {rows.Length} rows.");
        }
    }

    private static Func<ReadOnlySpan<byte>, int> Skipper(string type)
    {
        type = type.Trim();
        if (Inner(type, "Nullable(") is { } nullable)
        {
            var inner = Skipper(nullable);
            return d => Need(d, 1)[0] != 0 ? 1 : 1 + inner(d[1..]);
        }

        if (Inner(type, "Array(") is { } array)
        {
            var inner = Skipper(array);
            return d =>
            {
                var count = ReadVarUInt(d, out var o);
                for (ulong i = 0; i < count; i++)
                {
                    o += inner(d[o..]);
                }

                return o;
            };
        }

        if (Inner(type, "FixedString(") is { } fixedLength)
        {
            var n = int.Parse(fixedLength, System.Globalization.CultureInfo.InvariantCulture);
            return d => Need(d, n).Length >= 0 ? n : 0;
        }

        if (type.StartsWith("DateTime", StringComparison.Ordinal) && !type.StartsWith("DateTime64", StringComparison.Ordinal))
        {
            return Fixed(4);
        }

        if (type.StartsWith("Enum8", StringComparison.Ordinal))
        {
            return Fixed(1);
        }

        if (type.StartsWith("Enum16", StringComparison.Ordinal))
        {
            return Fixed(2);
        }

        return type switch
        {
            "String" => d =>
            {
                var length = ReadVarUInt(d, out var o);
                Need(d, o + (int)length);
                return o + (int)length;
            },
            "UInt8" or "Int8" or "Bool" => Fixed(1),
            "UInt16" or "Int16" or "Date" => Fixed(2),
            "UInt32" or "Int32" or "Float32" => Fixed(4),
            "UInt64" or "Int64" or "Float64" => Fixed(8),
            "UUID" => Fixed(16),
            _ => throw new NotSupportedException($"RowBinary type {type} is not supported by the dedup scanner."),
        };
    }

    private static Func<ReadOnlySpan<byte>, int> Fixed(int n) => d => Need(d, n).Length >= 0 ? n : 0;

    private static ReadOnlySpan<byte> Need(ReadOnlySpan<byte> d, int n)
        => d.Length >= n ? d : throw new InvalidDataException("RowBinary ends inside a value.");

    private static string? Inner(string type, string prefix)
        => type.StartsWith(prefix, StringComparison.Ordinal) && type.EndsWith(')') ? type[prefix.Length..^1] : null;

    private static ulong ReadVarUInt(ReadOnlySpan<byte> d, out int length)
    {
        ulong value = 0;
        for (var i = 0; i < 10; i++)
        {
            var b = Need(d, i + 1)[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                length = i + 1;
                return value;
            }
        }

        throw new InvalidDataException("Malformed VarUInt in RowBinary.");
    }
}

/// <summary>One scanned <c>llm_calls</c> row: its byte range, call key (when its ids are hex), start second and revision.</summary>
internal readonly record struct ScannedRow(int Start, int End, LlmCallKey Key, bool HasKey, uint Timestamp, ulong Revision);
