namespace OtelLlm.Receiver.Api;

/// <summary>Every way an <c>/api/v1</c> request fails; <see cref="ApiFailures.Status"/> maps each to HTTP in one place.</summary>
internal enum ApiFailure
{
    /// <summary>The input is wrong (400); the errors say where.</summary>
    Invalid,

    /// <summary>No API key, or an unknown one (401).</summary>
    Unauthenticated,

    /// <summary>The key lacks the endpoint's scope, or names another project (403).</summary>
    Forbidden,

    /// <summary>The addressed thing does not exist (404).</summary>
    NotFound,

    /// <summary>The method is not one the path takes (405).</summary>
    MethodNotAllowed,

    /// <summary>The body or the batch is over a limit (413).</summary>
    TooLarge,

    /// <summary>The body is not JSON, or is compressed with an encoding other than gzip (415).</summary>
    UnsupportedMediaType,

    /// <summary>The receiver holds as much unwritten data as it may; retry after <c>Retry-After</c> (503).</summary>
    Overloaded,

    /// <summary>ClickHouse refused or could not be reached; the message carries its own words (503).</summary>
    StorageUnavailable,
}

/// <summary>A request that ends in an <see cref="ApiFailure"/>; the API's endpoint filter turns it into the answer.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(ApiFailure failure, IReadOnlyList<ApiError> errors)
        : base(errors.Count > 0 ? errors[0].Message : failure.ToString())
    {
        Failure = failure;
        Errors = errors;
    }

    public ApiException(ApiFailure failure, string message, string? field = null, int? index = null)
        : this(failure, [new ApiError(index, field, message)])
    {
    }

    public ApiFailure Failure { get; }

    public IReadOnlyList<ApiError> Errors { get; }
}

/// <summary>The one place failures become HTTP status codes.</summary>
internal static class ApiFailures
{
    public static int Status(ApiFailure failure) => failure switch
    {
        ApiFailure.Invalid => StatusCodes.Status400BadRequest,
        ApiFailure.Unauthenticated => StatusCodes.Status401Unauthorized,
        ApiFailure.Forbidden => StatusCodes.Status403Forbidden,
        ApiFailure.NotFound => StatusCodes.Status404NotFound,
        ApiFailure.MethodNotAllowed => StatusCodes.Status405MethodNotAllowed,
        ApiFailure.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ApiFailure.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ApiFailure.Overloaded or ApiFailure.StorageUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Whether the client should retry the same request later (it gets <c>Retry-After</c>).</summary>
    public static bool Retryable(ApiFailure failure) => failure is ApiFailure.Overloaded or ApiFailure.StorageUnavailable;
}
