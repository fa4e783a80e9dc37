using Azure.Core;
using Azure.Core.Pipeline;

namespace Engage.Tests.Support;

/// <summary>
/// Counts the storage requests of a client it is added to as a per-call policy: all of them, the transactions (a POST
/// to <c>$batch</c>) and the single writes (any other request but a read).
/// </summary>
public sealed class RequestCount : HttpPipelineSynchronousPolicy
{
    private int _all;
    private int _batches;
    private int _singles;

    public int All => Volatile.Read(ref _all);

    public int Batches => Volatile.Read(ref _batches);

    public int Singles => Volatile.Read(ref _singles);

    public void Clear()
    {
        Interlocked.Exchange(ref _all, 0);
        Interlocked.Exchange(ref _batches, 0);
        Interlocked.Exchange(ref _singles, 0);
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _all);
        if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _batches);
        }
        else if (message.Request.Method != RequestMethod.Get)
        {
            Interlocked.Increment(ref _singles);
        }
    }
}
