using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Http;

/// <summary><c>GET /api/openapi.json</c>: the contract's OpenAPI 3 document (anonymous: it holds no secret).</summary>
public sealed class OpenApiFunction(ContractDocument document)
{
    [Function("OpenApi")]
    [ProducesResponseType(typeof(object), StatusCodes.Status200OK, "application/json")]
    public ContentHttpResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        TypedResults.Text(document.Json, "application/json; charset=utf-8");
}
