using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;

namespace Engage.Functions.Digests;

/// <summary>
/// Local delivery: each message becomes an <c>.eml</c> file in <c>Email__PickupDirectory</c>, written under a temporary
/// name and then moved, so a reader of <c>*.eml</c> never sees half a message.
/// </summary>
internal sealed class PickupEmailSender(IOptions<EmailOptions> options, TimeProvider time, ILogger<PickupEmailSender> logger) : IEmailSender
{
    private readonly string _directory = Path.GetFullPath(options.Value.PickupDirectory);

    public async Task<string> SendAsync(EmailMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        EmailHeaders.Validate(message.Headers);
        var from = options.Value.Sender;
        var to = EmailAddresses.Recipient(message.To);
        var now = time.GetUtcNow();

        using var mime = new MimeMessage();
        mime.From.Add(from);
        mime.To.Add(to);
        mime.Subject = message.Subject;
        mime.Date = now;
        mime.MessageId = MimeUtils.GenerateMessageId(from.Domain);
        foreach (var (field, value) in message.Headers)
        {
            mime.Headers.Add(field, value);
        }

        mime.Body = new MultipartAlternative
        {
            new TextPart(MimeKit.Text.TextFormat.Plain) { Text = message.Text },
            new TextPart(MimeKit.Text.TextFormat.Html) { Text = message.Html },
        };

        var name = string.Create(CultureInfo.InvariantCulture, $"{now.UtcDateTime:yyyyMMdd'T'HHmmssfff}-{FilePart(to.Address)}-{Guid.NewGuid().ToString("N")[..8]}.eml");
        var path = Path.Combine(_directory, name);
        var temp = Path.Combine(_directory, "." + name + ".tmp");
        Directory.CreateDirectory(_directory);
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await mime.WriteToAsync(stream, ct);
                await stream.FlushAsync(ct);
            }

            File.Move(temp, path, overwrite: false);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        logger.LogInformation("Wrote email {FileName} to {PickupDirectory}", name, _directory);
        return name;
    }

    /// <summary>The address as a safe, bounded file-name fragment.</summary>
    internal static string FilePart(string address)
    {
        var builder = new StringBuilder(Math.Min(address.Length, 64));
        foreach (var c in address.Take(64))
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@' or '+' ? c : '_');
        }

        return builder.Length == 0 ? "unknown" : builder.ToString();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover .tmp file is ignored by readers of *.eml.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
