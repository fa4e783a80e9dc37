namespace Engage.Functions.Digests;

public sealed record EmailMessage(string To, string Subject, string Html, string Text, IReadOnlyDictionary<string, string> Headers);

public interface IEmailSender
{
    Task<string> SendAsync(EmailMessage message, CancellationToken ct);
}
