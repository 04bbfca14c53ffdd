namespace OtelLlm.Receiver.Pipeline.Spool;

/// <summary>When the spool forces appended records from the operating system's cache onto the disk.</summary>
public enum SpoolFsyncPolicy
{
    /// <summary>fsync every append before the batch is acknowledged: nothing acknowledged is lost even on power loss.</summary>
    Always,

    /// <summary>
    /// fsync at most once per <see cref="SpoolOptions.FsyncIntervalMilliseconds"/>; a killed process loses nothing
    /// (the bytes are in the kernel), a power cut may lose the last interval.
    /// </summary>
    Interval,

    /// <summary>Never fsync; leave it to the operating system. Survives a killed process, not a power cut.</summary>
    Never,
}

/// <summary>
/// Settings of the durable spool and the retrying writer, bound from <c>OtelLlm:Receiver:Spool</c>
/// (environment variables <c>OtelLlm__Receiver__Spool__&lt;Name&gt;</c>).
/// </summary>
public sealed class SpoolOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "OtelLlm:Receiver:Spool";

    /// <summary>Whether batches that cannot be written to ClickHouse are kept on disk and retried. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Folder of the spool segments; relative paths are under the content root. Default <c>data/spool</c>.</summary>
    public string Directory { get; set; } = "data/spool";

    /// <summary>Folder of dead-letter files (batches ClickHouse rejected as invalid); relative to the content root. Default <c>data/dead-letter</c>.</summary>
    public string DeadLetterDirectory { get; set; } = "data/dead-letter";

    /// <summary>Most bytes the spool may hold on disk; when full, new data is refused as retryable. Default 1 GiB.</summary>
    public long MaxSpoolBytes { get; set; } = 1L << 30;

    /// <summary>A segment file is closed and a new one started past this size. Default 64 MiB.</summary>
    public long SegmentBytes { get; set; } = 64L << 20;

    /// <summary>When appends are fsynced. Default <see cref="SpoolFsyncPolicy.Always"/>.</summary>
    public SpoolFsyncPolicy Fsync { get; set; } = SpoolFsyncPolicy.Always;

    /// <summary>Interval of <see cref="SpoolFsyncPolicy.Interval"/>. Default 1,000 ms.</summary>
    public int FsyncIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Attempts of a direct insert before the batch goes to the spool. Default 2.</summary>
    public int DirectAttempts { get; set; } = 2;

    /// <summary>First wait between replay attempts while ClickHouse fails. Default 500 ms.</summary>
    public int RetryInitialMilliseconds { get; set; } = 500;

    /// <summary>Longest wait between replay attempts (the wait doubles up to this, with jitter). Default 30,000 ms.</summary>
    public int RetryMaxMilliseconds { get; set; } = 30_000;

    /// <summary>
    /// How many recently written <c>llm_calls</c> keys (TraceId, SpanId) are remembered to drop re-delivered calls
    /// before they reach the rollups; 0 turns the in-memory window off. Default 1,000,000 (about 60 MB).
    /// </summary>
    public int DedupWindowSize { get; set; } = 1_000_000;

    /// <summary>
    /// At start-up the <c>llm_calls</c> dedup window is refilled from ClickHouse with the newest keys (at most
    /// <see cref="DedupWindowSize"/>) of calls that started within this many minutes; older calls sent again are looked
    /// up in ClickHouse instead. Default 60.
    /// </summary>
    public int DedupSeedLookbackMinutes { get; set; } = 60;
}
