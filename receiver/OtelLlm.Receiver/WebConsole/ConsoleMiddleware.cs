
namespace OtelLlm.Receiver.WebConsole;

/// <summary>
/// Answers requests that arrive on the console's port: its files, and its page for every other path (the pages route
/// in the browser, so a shared URL such as <c>/calls?model=gpt-4o</c> opens that view). The API
/// (<c>/api/…</c>, <c>/openapi/…</c>) and the health checks pass through to their endpoints, so the pages call the API
/// on their own origin; OTLP is not served there.
/// </summary>
internal sealed class ConsoleMiddleware(RequestDelegate next, ConsoleAssets assets, IOptions<ConsoleOptions> options)
{
    // The pages load only their own scripts and styles, and call only their own origin.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private readonly int _port = options.Value.Port;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Connection.LocalPort != _port)
        {
            return next(context);
        }

        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/openapi/", StringComparison.Ordinal) || path is "/healthz" or "/readyz")
        {
            return next(context);
        }

        var response = context.Response;
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return Task.CompletedTask;
        }

        ConsoleAsset asset;
        if (assets.TryGet(path, out var file))
        {
            asset = file;
        }
        else if (Path.HasExtension(path))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        else
        {
            asset = assets.Index;
        }

        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";

        // Revalidated every time: a new receiver version serves new files at the same paths.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }
}
