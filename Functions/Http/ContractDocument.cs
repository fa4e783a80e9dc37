using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Any;
using Microsoft.OpenApi.Extensions;
using Microsoft.OpenApi.Models;

namespace Engage.Functions.Http;

/// <summary>
/// The OpenAPI 3 document of the HTTP contract, generated, never written by hand: operations from the
/// <c>[Function]</c> / <c>[HttpTrigger]</c> attributes (the same ones the Functions SDK reads), responses
/// from the handlers' typed results (<c>Ok&lt;T&gt;</c>, <c>Accepted&lt;T&gt;</c>, <c>NoContent</c>) and
/// <c>[ProducesResponseType]</c>, request bodies from <c>[Consumes]</c>, query parameters from
/// <see cref="QueryParameterAttribute"/>, and schemas from the serializer's own metadata for the records
/// (<see cref="EngageJsonContext"/>), so a field is documented under the name it is written with.
/// </summary>
public sealed class ContractDocument
{
    public const string ProblemSchema = nameof(ProblemDetails);
    public const string FunctionKeyScheme = "functionKey";

    private readonly Lazy<string> _json;

    public ContractDocument() => _json = new(() => Build(typeof(ContractDocument).Assembly, EngageJson.Options).SerializeAsJson(OpenApiSpecVersion.OpenApi3_0));

    /// <summary>The document as JSON (built once).</summary>
    public string Json => _json.Value;

    public static OpenApiDocument Build(Assembly assembly, JsonSerializerOptions options)
    {
        var schemas = new Schemas(options);
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "Engage",
                Version = assembly.GetName().Version?.ToString(3) ?? "1.0.0",
                Description = "Community webhooks in; engagement, reciprocity and digests out. Errors are RFC 9457 problem details.",
            },
            Paths = new OpenApiPaths(),
            Components = new OpenApiComponents
            {
                Schemas = schemas.Components,
                SecuritySchemes = new Dictionary<string, OpenApiSecurityScheme>
                {
                    [FunctionKeyScheme] = new()
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Header,
                        Name = "x-functions-key",
                        Description = "A function key (Azure); DevHost asks for none.",
                    },
                },
            },
        };

        schemas.For(typeof(ProblemDetails));
        foreach (var function in FunctionCatalog.From(assembly).Functions.Where(f => f.Trigger == TriggerKind.Http))
        {
            var path = "/api/" + RouteTemplate(function.Route!);
            if (!document.Paths.TryGetValue(path, out var item))
            {
                item = new OpenApiPathItem();
                document.Paths[path] = item;
            }

            foreach (var method in function.HttpMethods!)
            {
                item.Operations[Enum.Parse<OperationType>(method, ignoreCase: true)] = Operation(function, method, path, schemas);
            }
        }

        return document;
    }

    /// <summary>The route with constraints and optional markers removed: <c>{userId:regex(…)}</c> → <c>{userId}</c>.</summary>
    public static string RouteTemplate(string route) =>
        System.Text.RegularExpressions.Regex.Replace(route, @"\{\*?([A-Za-z0-9_]+)[^}]*\}", "{$1}", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));

    private static OpenApiOperation Operation(FunctionDescriptor function, string method, string path, Schemas schemas)
    {
        var operation = new OpenApiOperation
        {
            OperationId = function.HttpMethods!.Count == 1 ? function.Name : function.Name + char.ToUpperInvariant(method[0]) + method[1..],
            Tags = [new OpenApiTag { Name = function.Type.Namespace?.Split('.').Last() ?? "Engage" }],
            Responses = new OpenApiResponses(),
        };

        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(path, @"\{([A-Za-z0-9_]+)\}", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            operation.Parameters.Add(new OpenApiParameter { Name = m.Groups[1].Value, In = ParameterLocation.Path, Required = true, Schema = new OpenApiSchema { Type = "string" } });
        }

        foreach (var query in function.Method.GetCustomAttributes<QueryParameterAttribute>())
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = query.Name,
                In = ParameterLocation.Query,
                Required = query.Required,
                Description = query.Description,
                Schema = query.Format is "int32" or "int64"
                    ? new OpenApiSchema { Type = "integer", Format = query.Format }
                    : new OpenApiSchema { Type = "string", Format = query.Format },
            });
        }

        if (method is "post" or "put" or "patch" && function.Method.GetCustomAttribute<ConsumesAttribute>() is IAcceptsMetadata { RequestType: { } body } accepts)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = accepts.ContentTypes.ToDictionary(c => c, _ => new OpenApiMediaType { Schema = schemas.For(body) }),
            };
        }

        foreach (var (status, type, contentTypes) in Responses(function.Method))
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            operation.Responses[key] = new OpenApiResponse
            {
                Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
                Content = type is null ? new Dictionary<string, OpenApiMediaType>() : contentTypes.ToDictionary(c => c, _ => new OpenApiMediaType { Schema = schemas.For(type) }),
            };
        }

        operation.Responses["default"] = new OpenApiResponse
        {
            Description = "A problem (RFC 9457): 400 malformed input, 401 signature, 404 unknown, 413 too large, 503 storage unavailable (with Retry-After), 500.",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schemas.For(typeof(ProblemDetails)) } },
        };

        if (function.AuthLevel != nameof(Microsoft.Azure.Functions.Worker.AuthorizationLevel.Anonymous))
        {
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = FunctionKeyScheme } }] = [],
            });
        }

        return operation;
    }

    /// <summary>What a handler answers on success: the typed results of its return type, then its <c>[ProducesResponseType]</c>.</summary>
    public static IEnumerable<(int Status, Type? Type, IReadOnlyList<string> ContentTypes)> Responses(MethodInfo method)
    {
        var returned = method.ReturnType;
        if (returned.IsGenericType && returned.GetGenericTypeDefinition() is var g && (g == typeof(Task<>) || g == typeof(ValueTask<>)))
        {
            returned = returned.GetGenericArguments()[0];
        }

        var results = returned.IsGenericType && returned.Name.StartsWith("Results`", StringComparison.Ordinal) ? returned.GetGenericArguments() : [returned];
        foreach (var result in results)
        {
            if (result.IsGenericType && result.GetGenericTypeDefinition() == typeof(Ok<>))
            {
                yield return (StatusCodes.Status200OK, result.GetGenericArguments()[0], ["application/json"]);
            }
            else if (result.IsGenericType && result.GetGenericTypeDefinition() == typeof(Accepted<>))
            {
                yield return (StatusCodes.Status202Accepted, result.GetGenericArguments()[0], ["application/json"]);
            }
            else if (result == typeof(NoContent))
            {
                yield return (StatusCodes.Status204NoContent, null, []);
            }
        }

        foreach (var produces in method.GetCustomAttributes<ProducesResponseTypeAttribute>())
        {
            var contentTypes = new Microsoft.AspNetCore.Mvc.Formatters.MediaTypeCollection();
            ((Microsoft.AspNetCore.Mvc.ApiExplorer.IApiResponseMetadataProvider)produces).SetContentTypes(contentTypes);
            yield return (produces.StatusCode, produces.Type == typeof(void) ? null : produces.Type, contentTypes.Count > 0 ? contentTypes.ToList() : ["application/json"]);
        }
    }

    /// <summary>JSON schemas from the serializer's metadata: records become components, referenced by their type's name.</summary>
    private sealed class Schemas(JsonSerializerOptions options)
    {
        public Dictionary<string, OpenApiSchema> Components { get; } = new(StringComparer.Ordinal);

        public OpenApiSchema For(Type type)
        {
            if (Nullable.GetUnderlyingType(type) is { } underlying)
            {
                var schema = For(underlying);
                schema.Nullable = true;
                return schema;
            }

            if (Primitive(type) is { } primitive)
            {
                return primitive;
            }

            if (type.IsEnum)
            {
                return new OpenApiSchema
                {
                    Type = "string",
                    Enum = Enum.GetNames(type).Select(n => (IOpenApiAny)new OpenApiString(JsonNamingPolicy.CamelCase.ConvertName(n))).ToList(),
                };
            }

            var info = options.GetTypeInfo(type);
            return info.Kind switch
            {
                JsonTypeInfoKind.Enumerable => new OpenApiSchema { Type = "array", Items = For(info.ElementType!) },
                JsonTypeInfoKind.Dictionary => new OpenApiSchema { Type = "object", AdditionalProperties = For(info.ElementType!) },
                JsonTypeInfoKind.Object => Reference(type, info),
                _ => new OpenApiSchema(),
            };
        }

        private static OpenApiSchema? Primitive(Type type) => type switch
        {
            _ when type == typeof(string) => new OpenApiSchema { Type = "string" },
            _ when type == typeof(bool) => new OpenApiSchema { Type = "boolean" },
            _ when type == typeof(int) => new OpenApiSchema { Type = "integer", Format = "int32" },
            _ when type == typeof(long) => new OpenApiSchema { Type = "integer", Format = "int64" },
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => new OpenApiSchema { Type = "number", Format = "double" },
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => new OpenApiSchema { Type = "string", Format = "date-time" },
            _ when type == typeof(TimeSpan) => new OpenApiSchema { Type = "string", Format = "duration" },
            _ when type == typeof(object) || type == typeof(JsonElement) => new OpenApiSchema(),
            _ => null,
        };

        private OpenApiSchema Reference(Type type, JsonTypeInfo info)
        {
            var id = type.Name;
            if (!Components.ContainsKey(id))
            {
                var schema = new OpenApiSchema { Type = "object", AdditionalPropertiesAllowed = false };
                Components[id] = schema;
                foreach (var property in info.Properties)
                {
                    if (property.IsExtensionData)
                    {
                        schema.AdditionalPropertiesAllowed = true;
                        continue;
                    }

                    var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null
                        || (!property.PropertyType.IsValueType && property.IsGetNullable);
                    var propertySchema = For(property.PropertyType);
                    if (nullable && propertySchema.Reference is null)
                    {
                        propertySchema.Nullable = true;
                    }

                    schema.Properties[property.Name] = propertySchema;
                    if (!nullable)
                    {
                        schema.Required.Add(property.Name);
                    }
                }
            }

            return new OpenApiSchema { Reference = new OpenApiReference { Type = ReferenceType.Schema, Id = id } };
        }
    }
}
