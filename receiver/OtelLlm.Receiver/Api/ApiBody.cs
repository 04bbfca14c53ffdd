using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using OtelLlm.Receiver.Admission;

namespace OtelLlm.Receiver.Api;

/// <summary>
/// A JSON request body, read within a byte limit (after gzip decompression) and parsed. The buffers come from the
/// receiver's request-body budget when one is given, as OTLP bodies do. Dispose after the document is used.
/// </summary>
internal sealed class ApiBody : IDisposable
{
    private readonly BodyLease? _lease;
    private readonly BoundedBuffer _raw;
    private readonly BoundedBuffer? _plain;

    private ApiBody(BodyLease? lease, BoundedBuffer raw, BoundedBuffer? plain, JsonDocument document)
    {
        _lease = lease;
        _raw = raw;
        _plain = plain;
        Document = document;
    }

    public JsonDocument Document { get; }

    public JsonElement Root => Document.RootElement;

    /// <summary>The body's size in bytes, after decompression.</summary>
    public int Length => (_plain ?? _raw).Length;

    /// <summary>
    /// Reads and parses the body. Refuses (as <see cref="ApiException"/>) a body that is not <c>application/json</c>
    /// (415), is compressed other than with gzip (415), is larger than <paramref name="maxBytes"/> (413), or is not JSON (400).
    /// </summary>
    public static async Task<ApiBody> ReadAsync(HttpContext context, int maxBytes, RequestAdmission? admission = null)
    {
        var request = context.Request;
        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value : null;
        if (mediaType is null || !(mediaType.Equals(ApiJson.ContentType, StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ApiException(ApiFailure.UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported; send the body as JSON with 'Content-Type: application/json'.");
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(ApiFailure.UnsupportedMediaType, $"Content-Encoding '{encoding}' is not supported; use gzip or none.");
        }

        if (request.ContentLength > maxBytes && !gzip)
        {
            throw new ApiException(ApiFailure.TooLarge, $"The body ({request.ContentLength} bytes) is larger than this endpoint's limit of {maxBytes} bytes.");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // The limit is enforced here, on the decompressed body.
            sizeFeature.MaxRequestBodySize = null;
        }

        if (admission is not null)
        {
            admission.ThrowIfOverloaded();
        }

        var lease = admission is null ? null : new BodyLease(admission);
        BoundedBuffer? raw = null;
        BoundedBuffer? plain = null;
        try
        {
            raw = new BoundedBuffer(maxBytes, (int)Math.Min(request.ContentLength ?? 16 * 1024, maxBytes), lease);
            await raw.ReadFromAsync(request.Body, "the request body", context.RequestAborted);
            if (gzip)
            {
                plain = new BoundedBuffer(maxBytes, Math.Min(raw.Length * 4, maxBytes), lease);
                await plain.GunzipFromAsync(raw.Memory, "the decompressed request body", context.RequestAborted);
            }

            var bytes = (plain ?? raw).Memory;
            if (bytes.IsEmpty)
            {
                throw new ApiException(ApiFailure.Invalid, "The body is empty; send a JSON object or array.");
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException ex)
            {
                throw new ApiException(ApiFailure.Invalid, $"The body is not valid JSON: {ex.Message}");
            }

            return new ApiBody(lease, raw, plain, document);
        }
        catch (InvalidDataException ex)
        {
            Release(lease, raw, plain);
            throw new ApiException(ApiFailure.Invalid, "The body is not valid gzip: " + ex.Message);
        }
        catch (RequestTooLargeException ex)
        {
            Release(lease, raw, plain);
            throw new ApiException(ApiFailure.TooLarge, $"{ex.Message}; split the request into smaller ones.");
        }
        catch
        {
            Release(lease, raw, plain);
            throw;
        }
    }

    public void Dispose()
    {
        Document.Dispose();
        Release(_lease, _raw, _plain);
    }

    private static void Release(BodyLease? lease, BoundedBuffer? raw, BoundedBuffer? plain)
    {
        plain?.Dispose();
        raw?.Dispose();
        lease?.Dispose();
    }
}
