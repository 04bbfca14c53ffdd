using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Normalization;

/// <summary>
/// Joins content that arrives in log records to the <c>llm_calls</c> row of its span (same project, trace id and
/// span id), whichever comes first and even across requests, within a bounded window and bounded memory.
/// <list type="bullet">
/// <item>Logs first: their content waits here; the span's row is written once, with the content (Revision 0).</item>
/// <item>Span first: its row is written at once — acknowledged data is never held back — and remembered; content
/// arriving later is written as the same row with <c>Revision + 1</c>. <c>llm_calls</c> is a
/// <c>ReplacingMergeTree(Revision)</c>, so <c>FINAL</c> keeps the newest, and rollups count only Revision 0.</item>
/// <item>Re-delivered events add nothing and produce no revision.</item>
/// </list>
/// Entries live <see cref="Window"/> from first sight; when more than the maximum are held the oldest is dropped and
/// counted. Content that misses the window stays queryable in <c>otel_logs</c>.
/// </summary>
internal sealed class ContentJoin
{
    private readonly Dictionary<(string Project, string TraceId, string SpanId), Entry> _entries = [];
    private readonly LinkedList<Entry> _byAge = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly NormalizationMetrics _metrics;
    private readonly int _maxEntries;
    private readonly int _maxContentChars;
    private readonly long _windowTicks;

    public ContentJoin(TimeSpan window, int maxEntries, int maxContentChars, TimeProvider time, NormalizationMetrics metrics)
    {
        Window = window;
        _windowTicks = (long)(window.TotalSeconds * time.TimestampFrequency);
        _maxEntries = Math.Max(1, maxEntries);
        _maxContentChars = maxContentChars;
        _time = time;
        _metrics = metrics;
    }

    public TimeSpan Window { get; }

    /// <summary>How many calls are held now (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Called with a freshly normalized row before it is written: merges content that arrived first, and
    /// remembers the row when later content may still come.
    /// </summary>
    public void SpanArrived(LlmCallRow row, bool mayReceiveContent)
    {
        var key = (row.Project, row.TraceId, row.SpanId);
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            Sweep(now);
            if (_entries.TryGetValue(key, out var entry))
            {
                // Re-delivered span or logs that came first: the row carries everything known so far, under the
                // revision already written for it, so a re-delivery replaces nothing with less.
                entry.Row = LlmCallRows.Clone(row);
                entry.Content.ApplyTo(row, _maxContentChars);
                row.Revision = entry.Revision;
                entry.LastContentKey = LlmCallRows.ContentKey(row);
                return;
            }

            if (!mayReceiveContent)
            {
                return;
            }

            entry = Add(key, now);
            entry.Row = LlmCallRows.Clone(row);
            entry.LastContentKey = LlmCallRows.ContentKey(row);
        }
    }

    /// <summary>Adds content from one log record; appends a new revision of the row when its span was already written.</summary>
    public void LogArrived(string project, string traceId, string spanId, List<ContentItem> items, List<LlmCallRow> output)
    {
        var key = (project, traceId, spanId);
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            Sweep(now);
            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = Add(key, now);
            }

            var added = false;
            foreach (var item in items)
            {
                added |= entry.Content.Add(item);
            }

            if (!added || entry.Row is null)
            {
                return;
            }

            var revision = LlmCallRows.Clone(entry.Row);
            entry.Content.ApplyTo(revision, _maxContentChars);
            var contentKey = LlmCallRows.ContentKey(revision);
            if (contentKey == entry.LastContentKey)
            {
                return;
            }

            entry.LastContentKey = contentKey;

            // Several content logs of one call usually come in one request: they make one revision, not one each.
            if (entry.LastEmitted is { } previous && entry.LastOutput is not null && entry.LastOutput.TryGetTarget(out var lastOutput) && lastOutput == output
                && entry.LastIndex < output.Count
                && ReferenceEquals(output[entry.LastIndex], previous))
            {
                revision.Revision = previous.Revision;
                output[entry.LastIndex] = revision;
                entry.LastEmitted = revision;
                return;
            }

            entry.Revision++;
            revision.Revision = entry.Revision;
            entry.LastEmitted = revision;
            entry.LastOutput = new WeakReference<List<LlmCallRow>>(output);
            entry.LastIndex = output.Count;
            output.Add(revision);
        }
    }

    private Entry Add((string, string, string) key, long now)
    {
        while (_entries.Count >= _maxEntries && _byAge.First is { } oldest)
        {
            Remove(oldest.Value);
            _metrics.ContentJoinEvicted.Add(1);
        }

        var entry = new Entry(key, now);
        entry.Node = _byAge.AddLast(entry);
        _entries.Add(key, entry);
        return entry;
    }

    private void Sweep(long now)
    {
        while (_byAge.First is { } oldest && now - oldest.Value.FirstSeen >= _windowTicks)
        {
            Remove(oldest.Value);
        }
    }

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.Key);
        _byAge.Remove(entry.Node!);
    }

    private sealed class Entry((string, string, string) key, long firstSeen)
    {
        public (string Project, string TraceId, string SpanId) Key { get; } = key;

        public long FirstSeen { get; } = firstSeen;

        public LinkedListNode<Entry>? Node { get; set; }

        /// <summary>The span's row as written without log content; null while only logs have arrived.</summary>
        public LlmCallRow? Row { get; set; }

        public ContentSet Content { get; } = new();

        public uint Revision { get; set; }

        public string LastContentKey { get; set; } = string.Empty;

        public LlmCallRow? LastEmitted { get; set; }

        /// <summary>The batch the last revision went into, weakly: a join entry must not keep a written batch alive.</summary>
        public WeakReference<List<LlmCallRow>>? LastOutput { get; set; }

        public int LastIndex { get; set; }
    }
}
