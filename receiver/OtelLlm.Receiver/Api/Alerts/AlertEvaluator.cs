using System.Collections.Concurrent;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Hosting;
using OtelLlm.Storage.ClickHouse;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Api.Alerts;

/// <summary>
/// Checks every enabled alert rule each <see cref="AlertOptions.EvaluationInterval"/> once the schema is in place, and
/// records what changed: a <c>firing</c> event when a rule's value goes above its threshold (unless it fired less than
/// its cooldown ago), a <c>resolved</c> event with the same incident id when it is back at or below it (or the window
/// has no calls to compute it from, or the rule was disabled or deleted). Each event is posted to the rule's webhooks
/// in the background; the outcome of every delivery is written on the event as a later revision.
/// </summary>
/// <remarks>
/// The state is read from <c>alert_events</c> on every pass, so a receiver that takes over evaluation (or restarts)
/// continues where the last one stopped. Turn the evaluator off (<see cref="AlertOptions.EvaluatorEnabled"/>) on all
/// receivers of a database but one.
/// </remarks>
internal sealed partial class AlertEvaluator(
    AlertStore store,
    ClickHouseClient client,
    WebhookSender sender,
    ReadinessState readiness,
    IOptions<AlertOptions> options,
    [FromKeyedServices(AlertEvaluator.ClockKey)] TimeProvider time,
    ILogger<AlertEvaluator> logger) : BackgroundService
{
    /// <summary>The key of the <see cref="TimeProvider"/> the alerts read the time from (tests move it forward).</summary>
    public const string ClockKey = "alerts";

    private static readonly TimeSpan s_deliveryGrace = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Task, byte> _deliveries = new();
    private readonly CancellationTokenSource _stopDeliveries = new();
    private long _passes;

    /// <summary>Completed evaluation passes (each over every rule), successful or not.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Webhook deliveries still under way.</summary>
    public int PendingDeliveries => _deliveries.Count;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // Deliveries under way get a moment to finish and record their outcome, then are cancelled.
        var pending = Task.WhenAll(_deliveries.Keys);
        if (await Task.WhenAny(pending, Task.Delay(s_deliveryGrace, cancellationToken)) != pending)
        {
            await _stopDeliveries.CancelAsync();
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _stopDeliveries.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.EvaluatorEnabled)
        {
            LogEvaluatorOff(logger);
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            if (readiness.SchemaReady)
            {
                try
                {
                    await EvaluateAllAsync(stoppingToken);
                }
                catch (ClickHouseException ex)
                {
                    LogEvaluationFailed(logger, ex.Message);
                }

                Interlocked.Increment(ref _passes);
            }

            try
            {
                await Task.Delay(settings.EvaluationInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task EvaluateAllAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rules = await store.RulesAsync(project: null, ruleId: null, includeDeleted: true, ct);
        var statuses = await store.StatusesAsync(project: null, ct);
        foreach (var rule in rules)
        {
            statuses.TryGetValue((rule.Project, rule.RuleId), out var status);
            var firing = status?.State == AlertStates.Firing;
            if (rule.Deleted || !rule.Enabled)
            {
                if (firing)
                {
                    var why = rule.Deleted ? "The rule was deleted." : "The rule was disabled.";
                    await RecordAsync(rule, AlertStates.Resolved, status!.IncidentId, new AlertMeasurement(null, 0, now, now), why, notify: !rule.Deleted, ct);
                }

                continue;
            }

            AlertMeasurement measured;
            try
            {
                measured = await AlertConditions.MeasureAsync(client, rule, now, ct);
            }
            catch (ClickHouseException ex)
            {
                LogRuleFailed(logger, rule.RuleId, ex.Message);
                continue;
            }

            var above = measured.Value is { } v && v > rule.Threshold;
            if (above && !firing)
            {
                // LastFiredAt is the epoch for a rule that never fired.
                if (status is not null && now - status.LastFiredAt < TimeSpan.FromMinutes(rule.CooldownMinutes))
                {
                    continue;
                }

                await RecordAsync(rule, AlertStates.Firing, incidentId: null, measured, FiringMessage(rule, measured), notify: true, ct);
            }
            else if (!above && firing)
            {
                await RecordAsync(rule, AlertStates.Resolved, status!.IncidentId, measured, ResolvedMessage(rule, measured), notify: true, ct);
            }
        }
    }

    private async Task RecordAsync(AlertRuleRow rule, string state, string? incidentId, AlertMeasurement measured, string message, bool notify, CancellationToken ct)
    {
        var id = store.NewId();
        var hooks = notify ? rule.Webhooks : [];
        var e = new AlertEventRow
        {
            Project = rule.Project,
            EventId = id,
            Revision = store.NextRevision(),
            TimeUnixSeconds = (ulong)time.GetUtcNow().ToUnixTimeSeconds(),
            RuleId = rule.RuleId,
            RuleName = rule.Name,
            Kind = rule.Kind,
            State = state,
            IncidentId = incidentId ?? id,
            Value = measured.Value ?? double.NaN,
            Threshold = rule.Threshold,
            WindowStartUnixSeconds = (ulong)measured.WindowStart.ToUnixTimeSeconds(),
            WindowEndUnixSeconds = (ulong)measured.WindowEnd.ToUnixTimeSeconds(),
            Message = message,
            Deliveries = [.. hooks.Select(url => new AlertDeliveryRow(url, 0, false, 0, string.Empty, 0))],
        };
        await store.WriteEventAsync(e, ct);
        if (state == AlertStates.Firing)
        {
            LogFired(logger, rule.RuleId, rule.Project, message);
        }
        else
        {
            LogResolved(logger, rule.RuleId, rule.Project, message);
        }

        if (hooks.Count > 0)
        {
            Track(DeliverAsync(e, rule));
        }
    }

    private void Track(Task delivery)
    {
        _deliveries.TryAdd(delivery, 0);
        _ = delivery.ContinueWith(t => _deliveries.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task DeliverAsync(AlertEventRow e, AlertRuleRow rule)
    {
        var ct = _stopDeliveries.Token;
        try
        {
            await Task.Yield();
            var results = await Task.WhenAll(rule.Webhooks.Select((url, i) =>
            {
                var format = i < rule.WebhookFormats.Count && rule.WebhookFormats[i].Length > 0 ? rule.WebhookFormats[i] : WebhookFormats.For(new Uri(url));
                return sender.DeliverAsync(url, WebhookPayloads.For(format, e, rule), e.EventId, ct);
            }));
            await store.ChangeEventAsync(e.Project, e.EventId, changed =>
            {
                changed.Deliveries = [.. results];
                return true;
            }, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (ClickHouseException ex)
        {
            LogEvaluationFailed(logger, $"recording the webhook deliveries of event {e.EventId} failed: {ex.Message}");
        }
    }

    private static string FiringMessage(AlertRuleRow rule, AlertMeasurement m)
        => $"{Capital(AlertKinds.Describe(rule.Kind, m.Value!.Value))} is above the threshold of {AlertKinds.Number(rule.Threshold)} {AlertKinds.Unit(rule.Kind)} " +
           $"over the last {rule.WindowMinutes} min ({m.Calls} calls{Scope(rule)}).";

    private static string ResolvedMessage(AlertRuleRow rule, AlertMeasurement m)
        => m.Value is { } v
            ? $"{Capital(AlertKinds.Describe(rule.Kind, v))} is back at or below the threshold of {AlertKinds.Number(rule.Threshold)} {AlertKinds.Unit(rule.Kind)} over the last {rule.WindowMinutes} min ({m.Calls} calls{Scope(rule)})."
            : $"No calls in the last {(rule.Kind == AlertKinds.TokenSpike ? 2 * rule.WindowMinutes : rule.WindowMinutes)} min to compute the {AlertKinds.Unit(rule.Kind)} value from{Scope(rule)}; resolved.";

    private static string Scope(AlertRuleRow rule)
    {
        var parts = new List<string> { $"project {rule.Project}" };
        foreach (var (name, value) in (ReadOnlySpan<(string, string)>)[("service", rule.FilterService), ("environment", rule.FilterEnvironment), ("provider", rule.FilterProvider), ("model", rule.FilterModel)])
        {
            if (value.Length > 0)
            {
                parts.Add($"{name} {value}");
            }
        }

        return ", " + string.Join(", ", parts);
    }

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    [LoggerMessage(EventId = ReceiverEventIds.AlertEvaluatorOff, Level = LogLevel.Information, Message = "Alert evaluation is off on this receiver (OtelLlm:Api:Alerts:EvaluatorEnabled=false)")]
    private static partial void LogEvaluatorOff(ILogger logger);

    [LoggerMessage(EventId = ReceiverEventIds.AlertFired, Level = LogLevel.Warning, Message = "Alert rule {RuleId} of project {Project} fired: {Message}")]
    private static partial void LogFired(ILogger logger, string ruleId, string project, string message);

    [LoggerMessage(EventId = ReceiverEventIds.AlertResolved, Level = LogLevel.Information, Message = "Alert rule {RuleId} of project {Project} resolved: {Message}")]
    private static partial void LogResolved(ILogger logger, string ruleId, string project, string message);

    [LoggerMessage(EventId = ReceiverEventIds.AlertEvaluationFailed, Level = LogLevel.Warning, Message = "Alert evaluation failed, tried again next interval: {Message}")]
    private static partial void LogEvaluationFailed(ILogger logger, string message);

    [LoggerMessage(EventId = ReceiverEventIds.AlertRuleFailed, Level = LogLevel.Warning, Message = "Alert rule {RuleId} could not be evaluated: {Message}")]
    private static partial void LogRuleFailed(ILogger logger, string ruleId, string message);
}
