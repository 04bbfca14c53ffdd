using System.Net;
using System.Net.Http.Headers;
using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Storage.Rows;

namespace OtelLlm.Receiver.Api.Alerts;

/// <summary>
/// Posts an event's payload to one webhook, trying again with exponential backoff (the first wait
/// <see cref="AlertOptions.WebhookFirstRetryDelay"/>, doubling up to <see cref="AlertOptions.WebhookMaxRetryDelay"/>, a
/// <c>Retry-After</c> answer honoured within that) after no answer, a timeout, 408, 429 or a 5xx; any other answer
/// outside 2xx is final. Returns how it went, for the event.
/// </summary>
internal sealed partial class WebhookSender : IDisposable
{
    private readonly HttpClient _http;
    private readonly AlertOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSender> _logger;

    public WebhookSender(IOptions<AlertOptions> options, [FromKeyedServices(AlertEvaluator.ClockKey)] TimeProvider time, ILogger<WebhookSender> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("OtelLlm-Alerts", "1"));
    }

    public async Task<AlertDeliveryRow> DeliverAsync(string url, byte[] payload, string eventId, CancellationToken ct)
    {
        var attempts = 0u;
        var status = 0u;
        var error = string.Empty;
        while (true)
        {
            attempts++;
            var at = (ulong)_time.GetUtcNow().ToUnixTimeSeconds();
            TimeSpan? retryAfter = null;
            bool retryable;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_options.WebhookTimeout);
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(payload) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                // Retries may deliver an event twice; receivers can drop repeats by this id.
                request.Headers.Add("X-OtelLlm-Event-Id", eventId);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                status = (uint)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return new AlertDeliveryRow(url, attempts, true, status, string.Empty, at);
                }

                var text = await ReadSomeAsync(response, timeout.Token);
                error = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{(text.Length > 0 ? ": " + text : string.Empty)}";
                retryable = response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                status = 0;
                error = $"no answer within {_options.WebhookTimeout.TotalSeconds:0.###} s";
                retryable = true;
            }
            catch (HttpRequestException ex)
            {
                status = 0;
                error = ex.Message;
                retryable = true;
            }

            if (!retryable || attempts >= _options.WebhookMaxAttempts)
            {
                LogDeliveryFailed(_logger, eventId, WebhookFormats.Masked(url), attempts, error);
                return new AlertDeliveryRow(url, attempts, false, status, error, at);
            }

            await Task.Delay(Backoff(attempts, retryAfter), _time, ct);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The wait after try <paramref name="attempt"/>: the first delay doubled per try, capped, ±10% so many webhooks do not retry in step.</summary>
    internal TimeSpan Backoff(uint attempt, TimeSpan? retryAfter)
    {
        var max = _options.WebhookMaxRetryDelay;
        if (retryAfter is { } asked && asked > TimeSpan.Zero)
        {
            return asked < max ? asked : max;
        }

        var ticks = Math.Min(max.Ticks, _options.WebhookFirstRetryDelay.Ticks * Math.Pow(2, attempt - 1));
        return TimeSpan.FromTicks((long)(ticks * (0.9 + (Random.Shared.NextDouble() * 0.2))));
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            text = text.ReplaceLineEndings(" ").Trim();
            return text.Length <= 200 ? text : text[..200] + "…";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return string.Empty;
        }
    }

    [LoggerMessage(EventId = ReceiverEventIds.AlertDeliveryFailed, Level = LogLevel.Warning, Message = "Alert event {EventId}: webhook {Webhook} failed after {Attempts} tries: {Error}")]
    private static partial void LogDeliveryFailed(ILogger logger, string eventId, string webhook, uint attempts, string error);
}
