using Microsoft.Extensions.Options;

using OtelLlm.Receiver.Configuration;

using OtelLlm.Receiver.Diagnostics;

namespace OtelLlm.Receiver.Pipeline;

/// <summary>
/// Decoded rows → per-table batchers → <see cref="IBatchWriter"/>. A request is acknowledged only after every
/// batch holding its rows is written (at-least-once), and refused as retryable while too much data waits.
/// </summary>
internal sealed class TelemetryPipeline : IHostedService, IAsyncDisposable
{
    private readonly TableBatcher[] _batchers = new TableBatcher[Tables.Count];
    private readonly MemoryBudget _budget;

    public TelemetryPipeline(IBatchWriter writer, IOptions<ReceiverOptions> options, ReceiverMetrics metrics, ILogger<TelemetryPipeline> logger)
    {
        var o = options.Value;
        _budget = new MemoryBudget(o.QueueMaxBytes);
        metrics.ObserveQueue(() => _budget.Used);
        for (var i = 0; i < _batchers.Length; i++)
        {
            _batchers[i] = new TableBatcher((TableId)i, writer, o.BatchMaxRows, TimeSpan.FromMilliseconds(o.BatchMaxDelayMilliseconds), _budget, metrics, logger);
        }
    }

    /// <summary>Bytes accepted and not yet written.</summary>
    public long PendingBytes => _budget.Used;

    /// <summary>Queues a request's rows; the task completes when all of them are written.</summary>
    /// <exception cref="PipelineOverloadedException">Too much data waits already; nothing was queued.</exception>
    public Task SubmitAsync(EncodedRequest request)
    {
        var total = request.TotalBytes;
        if (total == 0)
        {
            return Task.CompletedTask;
        }

        if (!_budget.TryReserve(total))
        {
            throw new PipelineOverloadedException("the receiver is holding as much unwritten data as it may");
        }

        Task? first = null;
        List<Task>? more = null;
        for (var i = 0; i < _batchers.Length; i++)
        {
            var table = (TableId)i;
            var bytes = request.Bytes(table);
            if (bytes.Length == 0)
            {
                continue;
            }

            Task done;
            try
            {
                done = _batchers[i].Add(bytes, request.Rows(table));
            }
            catch (PipelineOverloadedException)
            {
                // The remaining tables' bytes were reserved but never handed to a batcher.
                for (var j = i; j < _batchers.Length; j++)
                {
                    _budget.Release(request.Bytes((TableId)j).Length);
                }

                throw;
            }

            if (first is null)
            {
                first = done;
            }
            else
            {
                (more ??= [first]).Add(done);
            }
        }

        return more is null ? first! : Task.WhenAll(more);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var b in _batchers)
        {
            b.Start();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var b in _batchers)
        {
            await b.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
