namespace Engage.Functions.Digests;

/// <summary>One email to one recipient. <paramref name="Headers"/> are extra headers (e.g. <c>List-Unsubscribe</c>).</summary>
public sealed record EmailMessage(string To, string Subject, string Html, string Text, IReadOnlyDictionary<string, string> Headers);

public interface IEmailSender
{
    /// <summary>Sends (or drops into the pickup directory) one message.</summary>
    /// <returns>The provider's message id: the file name for pickup, SendGrid's <c>X-Message-Id</c> (or a generated id).</returns>
    /// <exception cref="EmailRejectedException">The provider refused the message for good; sending it again will not help.</exception>
    Task<string> SendAsync(EmailMessage message, CancellationToken ct);
}

/// <summary>A permanent rejection (bad sender, bad key, message too large): retrying the same message will fail again.</summary>
public sealed class EmailRejectedException(string message) : Exception(message);
