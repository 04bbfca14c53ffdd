using OtelLlm.Receiver.Diagnostics;
using OtelLlm.Receiver.Pipeline;
using OtelLlm.Receiver.Admission;
using OtelLlm.Storage.ClickHouse;

namespace OtelLlm.Receiver.Api;

/// <summary>Endpoint metadata: the scope an API key needs to call the endpoint.</summary>
internal sealed record ApiScopeRequirement(ApiScopes Scope);

/// <summary>
/// Runs around every <c>/api/v1</c> endpoint: authenticates the caller with the same keys as OTLP, refuses a key
/// without the endpoint's scope (403 naming it), and turns every failure — <see cref="ApiException"/>, an overloaded
/// pipeline, a ClickHouse error — into an <see cref="ApiResult"/> with the uniform error body.
/// </summary>
internal sealed partial class ApiEndpointFilter(IRequestAuthenticator authenticator, ILogger<ApiEndpointFilter> logger) : IEndpointFilter
{
    private static readonly object s_callerKey = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var required = http.GetEndpoint()?.Metadata.GetMetadata<ApiScopeRequirement>()?.Scope
            ?? throw new InvalidOperationException($"The endpoint {http.Request.Path} names no scope; map it with RequireScope.");
        if (!authenticator.TryAuthenticate(http, out var caller, out var error))
        {
            return ApiResult.Failure(ApiFailure.Unauthenticated, error ?? "Not authenticated.");
        }

        if (!caller.Has(required))
        {
            return ApiResult.Failure(ApiFailure.Forbidden, ApiScopeNames.Missing(required));
        }

        http.Items[s_callerKey] = caller;
        try
        {
            return await next(context);
        }
        catch (ApiException ex)
        {
            return ApiResult.Failure(ex.Failure, ex.Errors);
        }
        catch (RequestTooLargeException ex)
        {
            return ApiResult.Failure(ApiFailure.TooLarge, ex.Message);
        }
        catch (PipelineOverloadedException ex)
        {
            return ApiResult.Failure(ApiFailure.Overloaded, "Overloaded, retry later: " + ex.Message);
        }
        catch (PipelineWriteException ex)
        {
            return ApiResult.Failure(ApiFailure.StorageUnavailable, "Storing the data failed, retry later: " + ex.Message);
        }
        catch (ClickHouseException ex) when (!http.RequestAborted.IsCancellationRequested)
        {
            LogStorageFailed(logger, http.Request.Path.Value, ex.Message);
            return ApiResult.Failure(ApiFailure.StorageUnavailable, ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            return ApiResult.Failure(ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? ApiFailure.TooLarge : ApiFailure.Invalid, "Reading the request failed: " + ex.Message);
        }
    }

    /// <summary>The caller the filter authenticated for this request.</summary>
    public static ApiCaller Caller(HttpContext context)
        => context.Items.TryGetValue(s_callerKey, out var caller) && caller is ApiCaller c
            ? c
            : throw new InvalidOperationException("No API caller: the endpoint is not behind ApiEndpointFilter.");

    [LoggerMessage(EventId = ReceiverEventIds.ApiStorageFailed, Level = LogLevel.Warning, Message = "API request to {Path} failed in ClickHouse: {Message}")]
    private static partial void LogStorageFailed(ILogger logger, string? path, string message);
}

/// <summary>What handlers ask of the request: who called and which project they may read.</summary>
internal static class ApiCallerExtensions
{
    /// <summary>The authenticated caller of an <c>/api/v1</c> request.</summary>
    public static ApiCaller ApiCaller(this HttpContext context) => ApiEndpointFilter.Caller(context);

    /// <summary>
    /// The project a read is limited to: a keyed caller reads its own project only (naming another is refused with
    /// 403); without keys, <paramref name="requested"/> or every project (<see langword="null"/>).
    /// </summary>
    public static string? ReadableProject(this ApiCaller caller, string? requested)
    {
        if (!caller.Keyed)
        {
            return string.IsNullOrEmpty(requested) ? null : requested;
        }

        if (!string.IsNullOrEmpty(requested) && !string.Equals(requested, caller.Project, StringComparison.Ordinal))
        {
            throw new ApiException(ApiFailure.Forbidden, $"This API key belongs to project '{caller.Project}' and cannot read project '{requested}'.", "project");
        }

        return caller.Project;
    }

    /// <summary>Documents the JSON body the endpoint reads (the handler reads and checks it itself).</summary>
    public static RouteHandlerBuilder AcceptsJson<TBody>(this RouteHandlerBuilder builder, string description)
        => builder.WithMetadata(new ApiRequestBody(typeof(TBody), description));

    /// <summary>Marks an endpoint as needing <paramref name="scope"/>.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, ApiScopes scope)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new ApiScopeRequirement(scope));
}
