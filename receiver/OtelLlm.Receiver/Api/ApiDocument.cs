using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OtelLlm.Receiver.Admission;

namespace OtelLlm.Receiver.Api;

/// <summary>What the OpenAPI document says beyond what the endpoints' metadata gives: the API, its keys and scopes.</summary>
internal static class ApiDocument
{
    public const string BearerScheme = "bearer";
    public const string ApiKeyScheme = "apiKey";

    public static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "OtelLlm API",
            Version = "v1",
            Description =
                "Feedback, alerts, exports and bulk ingest over the LLM calls OtelLlm stores. Send the API key as " +
                "'Authorization: Bearer <key>' or 'x-api-key: <key>'. Each endpoint needs one scope (ingest, feedback, read " +
                "or admin); a key without it gets 403. Every failure answers {\"errors\":[{\"index\",\"field\",\"message\"}]}; " +
                "a request with any error changes nothing.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The API key as a bearer token.",
        };
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "x-api-key",
            Description = "The API key in the x-api-key header.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] });
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] });
    }

    /// <summary>
    /// Names the operation's scope in its description and in an <c>x-scope</c> extension, and describes the JSON body
    /// an <see cref="ApiRequestBody"/> names. (The framework's <c>Accepts</c> would also make routing refuse other
    /// content types with an empty 415; the handlers answer that themselves, with the error body.)
    /// </summary>
    public static async Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<ApiRequestBody>().LastOrDefault() is { } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = body.Description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ApiJson.ContentType] = new() { Schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken) },
                },
            };
        }

        var requirement = metadata.OfType<ApiScopeRequirement>().LastOrDefault();
        if (requirement is null)
        {
            return;
        }

        var scope = requirement.Scope == ApiScopes.None ? "any" : ApiScopeNames.Name(requirement.Scope);
        var note = requirement.Scope == ApiScopes.None ? "Any API key." : $"Needs an API key with the '{scope}' scope.";
        operation.Description = string.IsNullOrEmpty(operation.Description) ? note : operation.Description + "\n\n" + note;
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions["x-scope"] = new JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create(scope));
    }
}

/// <summary>Endpoint metadata: the JSON body the endpoint reads, for the OpenAPI document only.</summary>
internal sealed record ApiRequestBody(Type Type, string? Description);
