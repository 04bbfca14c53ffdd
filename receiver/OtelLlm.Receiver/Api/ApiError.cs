using System.Text.Json.Serialization;

namespace OtelLlm.Receiver.Api;

/// <summary>One thing wrong with a request, as every <c>/api/v1</c> error body lists it.</summary>
/// <param name="Index">
/// The position of the item the error is about in a batch (0 for a body that is one object), or
/// <see langword="null"/> when the error is not about an item (a query parameter, a missing scope).
/// </param>
/// <param name="Field">
/// The field or query parameter at fault as a path (<c>usage.inputTokens</c>, <c>input[2].role</c>, <c>from</c>),
/// or <see langword="null"/> when no single field is.
/// </param>
/// <param name="Message">What was wrong and what would be right, for a person.</param>
public sealed record ApiError(
    [property: JsonPropertyName("index"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Index,
    [property: JsonPropertyName("field"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Field,
    [property: JsonPropertyName("message")] string Message);

/// <summary>The body of every <c>/api/v1</c> answer that is not a success: <c>{"errors":[…]}</c>.</summary>
/// <param name="Errors">Every error found, never empty.</param>
public sealed record ApiErrorBody([property: JsonPropertyName("errors")] IReadOnlyList<ApiError> Errors);

/// <summary>
/// Collects validation errors so a request is answered with all of them at once. Handlers validate everything before
/// writing anything: a request with any error changes nothing.
/// </summary>
internal sealed class ApiErrors
{
    private readonly List<ApiError> _errors = [];

    public int Count => _errors.Count;

    public IReadOnlyList<ApiError> All => _errors;

    public void Add(int? index, string? field, string message) => _errors.Add(new ApiError(index, field, message));

    /// <summary>Throws <see cref="ApiException"/> with <see cref="ApiFailure.Invalid"/> when any error was added.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw new ApiException(ApiFailure.Invalid, _errors);
        }
    }
}
