namespace OtelLlm.Receiver.Api.Alerts;

/// <summary>
/// Settings of the alert evaluator and its webhooks, bound from <c>OtelLlm:Api:Alerts</c>
/// (environment variables <c>OtelLlm__Api__Alerts__&lt;Name&gt;</c>). Times are written as <c>hh:mm:ss</c>.
/// </summary>
public sealed class AlertOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "OtelLlm:Api:Alerts";

    /// <summary>
    /// Whether this receiver evaluates the alert rules. Default <see langword="true"/>. With several receivers on one
    /// database, leave it on for one of them and turn it off on the others: every evaluator records events.
    /// </summary>
    public bool EvaluatorEnabled { get; set; } = true;

    /// <summary>How often every enabled rule is checked. Default 30 seconds.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one webhook request may take before it counts as failed. Default 10 seconds.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Tries per webhook and event, the first included. Default 5.</summary>
    public int WebhookMaxAttempts { get; set; } = 5;

    /// <summary>The wait before the second try; each further wait doubles, up to <see cref="WebhookMaxRetryDelay"/>. Default 2 seconds.</summary>
    public TimeSpan WebhookFirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two tries (also the most a <c>Retry-After</c> answer is honoured). Default 1 minute.</summary>
    public TimeSpan WebhookMaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most rules per project. Default 500.</summary>
    public int MaxRulesPerProject { get; set; } = 500;

    /// <summary>Every problem with these settings, each naming its setting.</summary>
    internal IEnumerable<string> Problems()
    {
        if (EvaluationInterval < TimeSpan.FromMilliseconds(10))
        {
            yield return $"{SectionName}:EvaluationInterval ('{EvaluationInterval}') must be at least 10 ms.";
        }

        if (WebhookTimeout <= TimeSpan.Zero)
        {
            yield return $"{SectionName}:WebhookTimeout ('{WebhookTimeout}') must be longer than zero.";
        }

        if (WebhookMaxAttempts is < 1 or > 100)
        {
            yield return $"{SectionName}:WebhookMaxAttempts ({WebhookMaxAttempts}) must be from 1 to 100.";
        }

        if (WebhookFirstRetryDelay < TimeSpan.Zero || WebhookMaxRetryDelay < WebhookFirstRetryDelay)
        {
            yield return $"{SectionName}:WebhookFirstRetryDelay ('{WebhookFirstRetryDelay}') must not be negative nor longer than WebhookMaxRetryDelay ('{WebhookMaxRetryDelay}').";
        }

        if (MaxRulesPerProject < 1)
        {
            yield return $"{SectionName}:MaxRulesPerProject ({MaxRulesPerProject}) must be at least 1.";
        }
    }
}
