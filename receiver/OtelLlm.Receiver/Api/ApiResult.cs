using System.Globalization;
using System.Text.Json;

namespace OtelLlm.Receiver.Api;

/// <summary>
/// The one result type of every <c>/api/v1</c> endpoint: a JSON body with a status, an error list, nothing (204),
/// or a body streamed as it is produced (exports). Failures always carry <see cref="ApiErrorBody"/>.
/// </summary>
internal sealed class ApiResult(
    int status, object? body, string? contentType = null, string? fileName = null, Func<Stream, CancellationToken, Task>? stream = null, int retryAfterSeconds = 0)
    : IResult
{
    /// <summary>The HTTP status this result answers with.</summary>
    public int StatusCode => status;

    /// <summary>200 with <paramref name="body"/> as JSON.</summary>
    public static ApiResult Ok(object body) => new(StatusCodes.Status200OK, body);

    /// <summary>201 with <paramref name="body"/> as JSON.</summary>
    public static ApiResult Created(object body) => new(StatusCodes.Status201Created, body);

    /// <summary>202 with <paramref name="body"/> as JSON: accepted and durable, queryable shortly.</summary>
    public static ApiResult Accepted(object body) => new(StatusCodes.Status202Accepted, body);

    /// <summary>204, no body.</summary>
    public static ApiResult NoContent() => new(StatusCodes.Status204NoContent, null);

    /// <summary>A failure with its errors; retryable failures also get <c>Retry-After</c>.</summary>
    public static ApiResult Failure(ApiFailure failure, IReadOnlyList<ApiError> errors, int retryAfterSeconds = 5)
        => new(ApiFailures.Status(failure), new ApiErrorBody(errors), retryAfterSeconds: ApiFailures.Retryable(failure) ? retryAfterSeconds : 0);

    /// <summary>A failure with one error.</summary>
    public static ApiResult Failure(ApiFailure failure, string message, string? field = null, int? index = null)
        => Failure(failure, [new ApiError(index, field, message)]);

    /// <summary>
    /// 200 with a body <paramref name="write"/> produces straight into the response, never held whole in memory.
    /// With <paramref name="fileName"/> the answer is marked as a download.
    /// </summary>
    public static ApiResult Stream(string contentType, string? fileName, Func<Stream, CancellationToken, Task> write)
        => new(StatusCodes.Status200OK, null, contentType, fileName, write);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        if (retryAfterSeconds > 0)
        {
            response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        if (stream is not null)
        {
            response.ContentType = contentType;
            if (fileName is not null)
            {
                response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            }

            // Rows go out as they are read; buffering in a proxy-friendly way is the client's business.
            httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
            await stream(response.Body, httpContext.RequestAborted);
            return;
        }

        if (body is null)
        {
            return;
        }

        response.ContentType = ApiJson.ContentType + "; charset=utf-8";
        await JsonSerializer.SerializeAsync(response.Body, body, body.GetType(), ApiJson.Options, httpContext.RequestAborted);
    }
}
