using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Export;

/// <summary>
/// Writes exported rows straight into the response as UTF-8, one row at a time: CSV (RFC 4180, header first, CRLF),
/// a JSON array, or JSON Lines. Nothing but the row being written is held.
/// </summary>
internal abstract class ExportWriter(PipeWriter pipe, ExportColumn[] columns) : IDisposable
{
    protected static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    protected PipeWriter Pipe { get; } = pipe;

    protected ExportColumn[] Columns { get; } = columns;

    public static ExportWriter Create(string format, PipeWriter pipe, ExportColumn[] columns) => format switch
    {
        "csv" => new CsvExportWriter(pipe, columns),
        "json" => new JsonExportWriter(pipe, columns, lines: false),
        _ => new JsonExportWriter(pipe, columns, lines: true),
    };

    public static string ContentType(string format) => format switch
    {
        "csv" => "text/csv; charset=utf-8; header=present",
        "json" => "application/json; charset=utf-8",
        _ => "application/x-ndjson; charset=utf-8",
    };

    public abstract void Begin();

    public abstract void Row(string[] fields);

    public abstract void End();

    public virtual void Dispose() => GC.SuppressFinalize(this);

    protected static string Iso(string nanos)
        => ulong.TryParse(nanos, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(n / 1_000_000)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
            : nanos;

    protected static double? Millis(string nanos)
        => ulong.TryParse(nanos, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n / 1e6 : null;

    protected static double? Number(string text)
        => text != TabSeparated.Null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;

    protected static string[] Items(string joined) => joined.Length == 0 ? [] : joined.Split(CallExportColumns.ListSeparator);

    /// <summary>A list or map column as compact JSON (CSV keeps it as that text).</summary>
    protected static void WriteStructured(Utf8JsonWriter w, ExportKind kind, string field)
    {
        if (kind == ExportKind.List)
        {
            w.WriteStartArray();
            foreach (var item in Items(field))
            {
                w.WriteStringValue(item);
            }

            w.WriteEndArray();
            return;
        }

        var tab = field.IndexOf('\t', StringComparison.Ordinal);
        var keys = Items(tab < 0 ? field : field[..tab]);
        var values = Items(tab < 0 ? string.Empty : field[(tab + 1)..]);
        w.WriteStartObject();
        for (var i = 0; i < keys.Length; i++)
        {
            w.WriteString(keys[i], i < values.Length ? values[i] : string.Empty);
        }

        w.WriteEndObject();
    }

    /// <summary>JSON text as JSON, or as a string when it does not parse (content is kept as the app sent it).</summary>
    protected static void WriteJsonText(Utf8JsonWriter w, string field)
    {
        if (field.Length == 0)
        {
            w.WriteNullValue();
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(field);
            doc.RootElement.WriteTo(w);
        }
        catch (JsonException)
        {
            w.WriteStringValue(field);
        }
    }
}

/// <summary>RFC 4180: a header line, fields quoted when they hold a comma, a quote or a line break (quotes doubled), CRLF.</summary>
internal sealed class CsvExportWriter(PipeWriter pipe, ExportColumn[] columns) : ExportWriter(pipe, columns)
{
    private readonly ArrayBufferWriter<byte> _structured = new(256);

    public override void Begin()
    {
        for (var i = 0; i < Columns.Length; i++)
        {
            Field(i, Columns[i].Name);
        }

        EndRow();
    }

    public override void Row(string[] fields)
    {
        for (var i = 0; i < Columns.Length; i++)
        {
            var text = fields[i];
            switch (Columns[i].Kind)
            {
                case ExportKind.UnixNanos:
                    Field(i, Iso(text));
                    break;
                case ExportKind.NanosAsMillis:
                    Field(i, Millis(text)?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty);
                    break;
                case ExportKind.Number:
                    Field(i, Number(text)?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty);
                    break;
                case ExportKind.Boolean:
                    Field(i, text == "1" ? "true" : "false");
                    break;
                case ExportKind.List or ExportKind.Map:
                    _structured.ResetWrittenCount();
                    using (var w = new Utf8JsonWriter(_structured, JsonOptions))
                    {
                        WriteStructured(w, Columns[i].Kind, text);
                    }

                    Field(i, Encoding.UTF8.GetString(_structured.WrittenSpan));
                    break;
                default:
                    Field(i, text == TabSeparated.Null ? string.Empty : text);
                    break;
            }
        }

        EndRow();
    }

    public override void End()
    {
    }

    private void Field(int index, string text)
    {
        if (index > 0)
        {
            Write(",");
        }

        if (text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            Write(text);
            return;
        }

        Write("\"");
        Write(text.Replace("\"", "\"\"", StringComparison.Ordinal));
        Write("\"");
    }

    private void EndRow() => Write("\r\n");

    private void Write(string text)
    {
        var span = Pipe.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        var n = Encoding.UTF8.GetBytes(text, span);
        Pipe.Advance(n);
    }
}

/// <summary>A JSON array of objects (<c>json</c>) or one object a line (<c>jsonl</c>), keys as the column names.</summary>
internal sealed class JsonExportWriter(PipeWriter pipe, ExportColumn[] columns, bool lines) : ExportWriter(pipe, columns)
{
    private readonly Utf8JsonWriter _json = new(pipe, JsonOptions);
    private readonly JsonEncodedText[] _names = [.. columns.Select(c => JsonEncodedText.Encode(c.Name))];

    public override void Begin()
    {
        if (!lines)
        {
            _json.WriteStartArray();
        }
    }

    public override void Row(string[] fields)
    {
        _json.WriteStartObject();
        for (var i = 0; i < Columns.Length; i++)
        {
            var text = fields[i];
            _json.WritePropertyName(_names[i]);
            switch (Columns[i].Kind)
            {
                case ExportKind.UnixNanos:
                    _json.WriteStringValue(Iso(text));
                    break;
                case ExportKind.NanosAsMillis:
                    WriteNumber(Millis(text));
                    break;
                case ExportKind.Number:
                    WriteNumber(Number(text));
                    break;
                case ExportKind.Integer when text.Length > 0 && text.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0:
                    _json.WriteRawValue(text, skipInputValidation: true);
                    break;
                case ExportKind.Integer:
                    WriteNumber(Number(text));
                    break;
                case ExportKind.Boolean:
                    _json.WriteBooleanValue(text == "1");
                    break;
                case ExportKind.List or ExportKind.Map:
                    WriteStructured(_json, Columns[i].Kind, text);
                    break;
                case ExportKind.Json:
                    WriteJsonText(_json, text);
                    break;
                default:
                    _json.WriteStringValue(text == TabSeparated.Null ? string.Empty : text);
                    break;
            }
        }

        _json.WriteEndObject();
        _json.Flush();
        if (lines)
        {
            Pipe.Write("\n"u8);
            _json.Reset(Pipe);
        }
    }

    public override void End()
    {
        if (!lines)
        {
            _json.WriteEndArray();
        }

        _json.Flush();
        if (!lines)
        {
            Pipe.Write("\n"u8);
        }
    }

    public override void Dispose()
    {
        _json.Dispose();
        base.Dispose();
    }

    private void WriteNumber(double? value)
    {
        if (value is { } v)
        {
            _json.WriteNumberValue(v);
        }
        else
        {
            _json.WriteNullValue();
        }
    }
}
