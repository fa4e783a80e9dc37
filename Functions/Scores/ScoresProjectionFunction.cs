using Microsoft.Azure.Functions.Worker;

namespace Engage.Functions.Scores;

public sealed class ScoresProjectionFunction(Projection projection)
{
    /// <summary>Timer functions run on one instance at a time (the host's singleton lock): the projection's single writer.</summary>
    [Function("ScoresProjection")]
    public Task Run([TimerTrigger("%Scores:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        projection.RunAsync(cancellationToken);
}
