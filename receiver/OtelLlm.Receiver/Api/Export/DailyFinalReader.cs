using System.Globalization;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api.Export;

/// <summary>
/// Reads <c>SELECT … FROM llm_calls FINAL</c> one UTC day at a time, oldest first: one query per day partition that has
/// calls in the range, each streamed before the next is sent.
/// </summary>
/// <remarks>
/// <c>FINAL</c> keeps one row per call (its newest revision) without holding the keys it has seen, but ClickHouse 18.16
/// reads every part of the range in one merging stream, with buffers for each part: measured over a million calls with
/// content in 31 day partitions (130 parts) it needed 10.4 GiB and failed at the server's limit, where one day of them
/// needed 165 MiB (<c>bench/RESULTS.md</c> §10). A day at a time, the server's memory depends on one partition's parts,
/// not on the range. The first day's query is sent by <see cref="OpenAsync"/>, so a ClickHouse failure there is still
/// answered before the first byte.
/// </remarks>
internal sealed class DailyFinalReader : IAsyncDisposable
{
    // Smaller blocks for each part's stream: the FINAL merge holds one per part (measured: 424 → 165 MiB for one day).
    private static readonly Dictionary<string, string> s_settings = new(StringComparer.Ordinal) { ["max_block_size"] = "8192" };

    private readonly ClickHouseClient _client;
    private readonly string _select;
    private readonly string _purpose;
    private readonly Queue<uint> _days;
    private readonly long _limit;
    private TabSeparatedReader? _current;

    private DailyFinalReader(ClickHouseClient client, string select, string purpose, Queue<uint> days, long limit)
    {
        _client = client;
        _select = select;
        _purpose = purpose;
        _days = days;
        _limit = limit;
    }

    /// <summary>Finds the days of the range that have calls and sends the first day's query.</summary>
    /// <param name="client">The ClickHouse client.</param>
    /// <param name="columns">The select list.</param>
    /// <param name="where">The condition on <c>llm_calls</c>, the range and project included.</param>
    /// <param name="purpose">What the reads are for, in error messages.</param>
    /// <param name="limit">At most this many rows in all (0: every row); no day is read once they have been.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    public static async Task<DailyFinalReader> OpenAsync(ClickHouseClient client, string columns, string where, string purpose, long limit, CancellationToken cancellationToken)
    {
        var days = await client.QueryAsync(
            $"SELECT toYYYYMMDD(Timestamp) AS Day FROM llm_calls WHERE {where} GROUP BY Day ORDER BY Day",
            $"{purpose}: find the days with calls",
            cancellationToken);
        var reader = new DailyFinalReader(client, $"SELECT {columns} FROM llm_calls FINAL WHERE {where}", purpose, new Queue<uint>(days.Select(d => uint.Parse(d[0], CultureInfo.InvariantCulture))), limit);
        await reader.NextDayAsync(cancellationToken);
        return reader;
    }

    /// <summary>Calls read so far, every day included.</summary>
    public long RowsRead { get; private set; }

    /// <summary>The next row, or <see langword="null"/> after the last day's last one.</summary>
    public async ValueTask<string[]?> ReadRowAsync(CancellationToken cancellationToken)
    {
        while (_current is not null && (_limit == 0 || RowsRead < _limit))
        {
            if (await _current.ReadRowAsync(cancellationToken) is { } row)
            {
                RowsRead++;
                return row;
            }

            await _current.DisposeAsync();
            _current = null;
            await NextDayAsync(cancellationToken);
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
            _current = null;
        }
    }

    private async Task NextDayAsync(CancellationToken cancellationToken)
    {
        if ((_limit > 0 && RowsRead >= _limit) || !_days.TryDequeue(out var day))
        {
            return;
        }

        // The partition key is toYYYYMMDD(Timestamp): the condition reads that one partition.
        var limit = _limit == 0 ? string.Empty : $" LIMIT {(_limit - RowsRead).ToString(CultureInfo.InvariantCulture)}";
        _current = await _client.QueryStreamAsync(
            $"{_select} AND toYYYYMMDD(Timestamp) = {day.ToString(CultureInfo.InvariantCulture)}{limit}",
            _purpose,
            s_settings,
            cancellationToken);
    }
}
