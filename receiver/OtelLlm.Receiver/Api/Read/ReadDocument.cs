using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OtelLlm.Receiver.Api.Read;

/// <summary>Endpoint metadata: the endpoint reads the filters of <see cref="CallFilter"/> from the query string.</summary>
internal sealed record CallFilterParameters;

/// <summary>Documents the call filters in the OpenAPI document (the handlers read them from the query string themselves).</summary>
internal static class ReadDocument
{
    private static readonly (string Name, JsonSchemaType Type, string Description)[] s_filters =
    [
        ("from", JsonSchemaType.String, "Start of the range, ISO 8601 with an offset (default: the range before 'to' the endpoint names)."),
        ("to", JsonSchemaType.String, "End of the range, ISO 8601 with an offset (default now)."),
        ("project", JsonSchemaType.String, "Only this project (a keyed caller reads only its own)."),
        ("service", JsonSchemaType.String, "Only calls of this service."),
        ("environment", JsonSchemaType.String, "Only calls of this deployment environment."),
        ("provider", JsonSchemaType.String, "Only calls to this provider (openai, anthropic, …)."),
        ("model", JsonSchemaType.String, "Only calls asking for this model."),
        ("status", JsonSchemaType.String, "ok or error."),
        ("errorType", JsonSchemaType.String, "Only failed calls of this error type."),
        ("userId", JsonSchemaType.String, "Only calls of this end user."),
        ("sessionId", JsonSchemaType.String, "Only calls of this session (conversation id)."),
        ("workload", JsonSchemaType.String, "Only calls of this workload."),
        ("q", JsonSchemaType.String, "Text the prompt, the answer or the system instructions contain (case-insensitive, 2 to 200 characters)."),
        ("minCost", JsonSchemaType.Number, "Lowest cost in US dollars."),
        ("maxCost", JsonSchemaType.Number, "Highest cost in US dollars."),
        ("minDurationMs", JsonSchemaType.Number, "Shortest duration in milliseconds."),
        ("maxDurationMs", JsonSchemaType.Number, "Longest duration in milliseconds."),
    ];

    /// <summary>Marks an endpoint as reading the call filters.</summary>
    public static RouteHandlerBuilder WithCallFilter(this RouteHandlerBuilder builder) => builder.WithMetadata(new CallFilterParameters());

    public static Task DescribeFilters(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<CallFilterParameters>().Any())
        {
            return Task.CompletedTask;
        }

        operation.Parameters ??= [];
        foreach (var (name, type, description) in s_filters)
        {
            if (operation.Parameters.Any(p => p.Name == name))
            {
                continue;
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Description = description,
                Schema = new OpenApiSchema { Type = type },
            });
        }

        return Task.CompletedTask;
    }
}
