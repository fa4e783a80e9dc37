using Engage.Domain.Sources;
using Engage.Functions.Http;
using Engage.Functions.Storage;
using Engage.Functions.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Webhooks;

public sealed class WebhookFunction(WebhookIntake intake, EngageMetrics metrics)
{
    /// <summary>
    /// Anonymous: every delivery is authenticated by its source's signature. POST answers 202 with
    /// <see cref="WebhookAccepted"/> (Slack's url_verification: 200 with the challenge as text); GET
    /// answers X's CRC check with <see cref="CrcResponse"/>. Every answer is counted per source and outcome.
    /// </summary>
    [Function("Webhook")]
    [QueryParameter("crc_token", "X's CRC check (GET, source x only).")]
    [ProducesResponseType(typeof(WebhookAccepted), StatusCodes.Status202Accepted, "application/json")]
    [ProducesResponseType(typeof(CrcResponse), StatusCodes.Status200OK, "application/json", "text/plain")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "webhooks/{source}")] HttpRequest request,
        string source,
        CancellationToken cancellationToken)
    {
        IResult result;
        try
        {
            result = await intake.HandleAsync(request, source, cancellationToken);
        }
        catch (Exception e)
        {
            metrics.DeliveryRefused(source, e is BadHttpRequestException bad ? bad.StatusCode
                : EngageStorage.IsUnavailable(e) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError);
            throw;
        }

        switch (result)
        {
            case Accepted<WebhookAccepted> accepted:
                metrics.DeliveryAccepted(source, accepted.Value?.Interactions ?? 0);
                break;
            case IStatusCodeHttpResult { StatusCode: >= 400 and var status }:
                metrics.DeliveryRefused(status == StatusCodes.Status404NotFound ? "unknown" : source, status);
                break;
        }

        return result;
    }
}
