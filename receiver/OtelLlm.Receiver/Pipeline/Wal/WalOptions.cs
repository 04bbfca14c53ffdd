namespace OtelLlm.Receiver.Pipeline.Wal;

/// <summary>How far an acknowledged request has been made durable.</summary>
public enum WalDurability
{
    /// <summary>
    /// A request is acknowledged after its records are fsynced: nothing acknowledged is lost on a crash of the process,
    /// the operating system or the machine (power cut). Requests arriving within <see cref="WalOptions.GroupCommitMilliseconds"/>
    /// share one fsync.
    /// </summary>
    Fsync,

    /// <summary>
    /// A request is acknowledged once its records are in the operating system's page cache: a killed or crashed receiver
    /// loses nothing, a kernel crash or power cut may lose what was written in the last seconds.
    /// </summary>
    Os,
}

/// <summary>
/// Settings of the write-ahead log and of the writers that drain it into ClickHouse, bound from
/// <c>OtelLlm:Receiver:Wal</c> (environment variables <c>OtelLlm__Receiver__Wal__&lt;Name&gt;</c>).
/// </summary>
public sealed class WalOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "OtelLlm:Receiver:Wal";

    /// <summary>Folder of the log's segment files; relative paths are under the content root. Default <c>data/wal</c>.</summary>
    public string Directory { get; set; } = "data/wal";

    /// <summary>Folder of dead-letter files (rows ClickHouse refused, bytes that cannot be read); relative to the content root. Default <c>data/dead-letter</c>.</summary>
    public string DeadLetterDirectory { get; set; } = "data/dead-letter";

    /// <summary>
    /// The spool folder of releases before the write-ahead log; what it still holds is moved into the log at start-up and
    /// the folder removed. Default <c>data/spool</c>; empty turns the look off.
    /// </summary>
    public string LegacySpoolDirectory { get; set; } = "data/spool";

    /// <summary>When an acknowledged request is durable. Default <see cref="WalDurability.Fsync"/>.</summary>
    public WalDurability Durability { get; set; } = WalDurability.Fsync;

    /// <summary>
    /// How long the log waits for more requests to share one fsync once a request is waiting (<see cref="WalDurability.Fsync"/>).
    /// Default 2 ms; 0 syncs as soon as the previous fsync ends (requests that arrive meanwhile still share the next one).
    /// </summary>
    public int GroupCommitMilliseconds { get; set; } = 2;

    /// <summary>Most bytes the log may hold on disk; when full, new data is refused as retryable before its body is read. Default 2 GiB.</summary>
    public long MaxLogBytes { get; set; } = 2L << 30;

    /// <summary>A segment file is closed and a new one started past this size. Default 64 MiB.</summary>
    public long SegmentBytes { get; set; } = 64L << 20;

    /// <summary>First wait between insert attempts while ClickHouse fails. Default 500 ms.</summary>
    public int RetryInitialMilliseconds { get; set; } = 500;

    /// <summary>Longest wait between insert attempts (the wait doubles up to this, with jitter). Default 30,000 ms.</summary>
    public int RetryMaxMilliseconds { get; set; } = 30_000;

    /// <summary>
    /// How many recently written <c>llm_calls</c> keys (TraceId, SpanId) are remembered to drop re-delivered calls
    /// before they reach the rollups; 0 turns the in-memory window off. Default 1,000,000 (about 75 MB).
    /// </summary>
    public int DedupWindowSize { get; set; } = 1_000_000;

    /// <summary>
    /// At start-up the <c>llm_calls</c> dedup window is refilled from ClickHouse with the newest keys (at most
    /// <see cref="DedupWindowSize"/>) of calls that started within this many minutes; older calls sent again are looked
    /// up in ClickHouse instead. Default 60.
    /// </summary>
    public int DedupSeedLookbackMinutes { get; set; } = 60;
}
