namespace OtelLlm.LoadGen.Measurement;

/// <summary>
/// Samples the files under a folder (the receiver's write-ahead log) a few times a second: the bytes written to them
/// (each file's largest size seen, summed, so segments already deleted still count) and the most on disk at once.
/// Files only grow until they are deleted, so a sample misses at most what a segment gained in its last interval.
/// </summary>
internal sealed class FolderGrowth : IAsyncDisposable
{
    private readonly string _folder;
    private readonly Dictionary<string, long> _largest = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public FolderGrowth(string folder, TimeSpan interval)
    {
        _folder = folder;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                try
                {
                    await Task.Delay(interval, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    /// <summary>Bytes written into the folder's files since sampling began (each file's largest size seen).</summary>
    public long BytesWritten
    {
        get
        {
            lock (_largest)
            {
                return _largest.Values.Sum();
            }
        }
    }

    /// <summary>The most bytes the folder's files held at one sample.</summary>
    public long PeakBytes => Interlocked.Read(ref _peak);

    public void Sample()
    {
        long total = 0;
        try
        {
            foreach (var file in new DirectoryInfo(_folder).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                long length;
                try
                {
                    length = file.Length;
                }
                catch (IOException)
                {
                    continue;
                }

                total += length;
                lock (_largest)
                {
                    if (!_largest.TryGetValue(file.FullName, out var seen) || length > seen)
                    {
                        _largest[file.FullName] = length;
                    }
                }
            }
        }
        catch (IOException)
        {
        }

        if (total > Interlocked.Read(ref _peak))
        {
            Interlocked.Exchange(ref _peak, total);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
