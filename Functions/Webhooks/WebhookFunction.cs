using Engage.Domain.Sources;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Webhooks;

public sealed class WebhookFunction(WebhookIntake intake)
{
    /// <summary>
    /// Anonymous: every delivery is authenticated by its source's signature. POST answers 202 with
    /// <see cref="WebhookAccepted"/> (Slack's url_verification: 200 with the challenge as text); GET
    /// answers X's CRC check with <see cref="CrcResponse"/>.
    /// </summary>
    [Function("Webhook")]
    [ProducesResponseType(typeof(WebhookAccepted), StatusCodes.Status202Accepted, "application/json")]
    [ProducesResponseType(typeof(CrcResponse), StatusCodes.Status200OK, "application/json", "text/plain")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "webhooks/{source}")] HttpRequest request,
        string source,
        CancellationToken cancellationToken) =>
        intake.HandleAsync(request, source, cancellationToken);
}
