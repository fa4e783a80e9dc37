using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Webhooks;

public sealed class WebhookFunction(WebhookIntake intake)
{
    /// <summary>Anonymous: every delivery is authenticated by its source's signature.</summary>
    [Function("Webhook")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "webhooks/{source}")] HttpRequest request,
        string source,
        CancellationToken cancellationToken) =>
        intake.HandleAsync(request, source, cancellationToken);
}
