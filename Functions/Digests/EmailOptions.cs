using System.Diagnostics.CodeAnalysis;
using MimeKit;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Digests;

/// <summary>Section <c>Email</c>: which provider delivers the digest, and its settings.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";
    public const string Pickup = "pickup";
    public const string SendGrid = "sendgrid";

    /// <summary><c>pickup</c> (default: <c>.eml</c> files in <see cref="PickupDirectory"/>) or <c>sendgrid</c>.</summary>
    public string Provider { get; set; } = Pickup;

    /// <summary>Where pickup writes; a relative path is resolved against the current directory.</summary>
    public string PickupDirectory { get; set; } = ".engage/outbox";

    /// <summary>SendGrid API key (Mail Send permission). A secret: never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Sender, <c>addr@domain</c> or <c>Name &lt;addr@domain&gt;</c>. Required for sendgrid.</summary>
    public string? From { get; set; }

    /// <summary>SendGrid's API root; tests point it at a local server.</summary>
    [SuppressMessage("Design", "CA1056:URI-like properties should not be strings", Justification = "Bound from configuration; validated with a message naming the setting instead of a binder conversion error.")]
    public string SendGridBaseUrl { get; set; } = "https://api.sendgrid.com";

    /// <summary>Sender used by pickup when <see cref="From"/> is not set.</summary>
    internal static readonly MailboxAddress DefaultPickupFrom = new("Engage", "engage@localhost.invalid");

    /// <summary>The normalized provider (<see cref="Pickup"/> or <see cref="SendGrid"/>), or null when unknown. Blank means pickup.</summary>
    internal static string? ProviderOf(string? value) => value?.Trim() switch
    {
        null or "" => Pickup,
        var v when v.Equals(Pickup, StringComparison.OrdinalIgnoreCase) => Pickup,
        var v when v.Equals(SendGrid, StringComparison.OrdinalIgnoreCase) => SendGrid,
        _ => null,
    };

    /// <summary>
    /// The value, or null when blank or an unresolved Key Vault reference (the platform passes the reference text
    /// through when the secret does not exist): that is "not configured", never a usable value.
    /// </summary>
    internal static string? Configured(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.TrimStart().StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase)
            ? null
            : value.Trim();

    /// <summary>The configured API key, or null.</summary>
    internal string? ConfiguredApiKey => Configured(ApiKey);

    /// <summary>The parsed <see cref="From"/>; pickup falls back to <see cref="DefaultPickupFrom"/>.</summary>
    internal MailboxAddress Sender =>
        EmailAddresses.TryParse(Configured(From), out var from) ? from
        : ProviderOf(Provider) == Pickup ? DefaultPickupFrom
        : throw new InvalidOperationException("Email__From is not a valid address.");
}

internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var provider = EmailOptions.ProviderOf(options.Provider);
        if (provider is null)
        {
            failures.Add($"Email__Provider must be '{EmailOptions.Pickup}' or '{EmailOptions.SendGrid}', not '{options.Provider}'.");
        }

        var from = EmailOptions.Configured(options.From);
        if (from is not null && !EmailAddresses.TryParse(from, out _))
        {
            failures.Add($"Email__From '{from}' is not an email address; use 'addr@domain' or 'Name <addr@domain>'.");
        }

        if (provider == EmailOptions.Pickup && string.IsNullOrWhiteSpace(options.PickupDirectory))
        {
            failures.Add("Email__PickupDirectory must be set when Email__Provider is 'pickup'.");
        }

        if (provider == EmailOptions.SendGrid)
        {
            if (options.ConfiguredApiKey is null)
            {
                failures.Add("Email__ApiKey must be set when Email__Provider is 'sendgrid' (an unresolved Key Vault reference counts as unset).");
            }

            if (from is null)
            {
                failures.Add("Email__From must be set when Email__Provider is 'sendgrid' (an unresolved Key Vault reference counts as unset).");
            }

            if (!Uri.TryCreate(options.SendGridBaseUrl, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"Email__SendGridBaseUrl must be an absolute http(s) URL, not '{options.SendGridBaseUrl}'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal static class EmailAddresses
{
    private static readonly ParserOptions Strict = new() { AllowAddressesWithoutDomain = false };

    /// <summary>Exactly one mailbox with a local part and a domain (<c>addr@domain</c> or <c>Name &lt;addr@domain&gt;</c>).</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out MailboxAddress? mailbox)
    {
        mailbox = null;
        if (string.IsNullOrWhiteSpace(value) || !MailboxAddress.TryParse(Strict, value.Trim(), out var parsed))
        {
            return false;
        }

        if (string.IsNullOrEmpty(parsed.LocalPart) || string.IsNullOrEmpty(parsed.Domain))
        {
            return false;
        }

        mailbox = parsed;
        return true;
    }

    /// <summary>The recipient of a message; an unusable address is a permanent rejection.</summary>
    public static MailboxAddress Recipient(string to) =>
        TryParse(to, out var mailbox) ? mailbox : throw new EmailRejectedException("The recipient is not a valid email address.");
}

internal static class EmailHeaders
{
    /// <summary>Headers the providers set themselves; a caller's value would clash with them.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-Id", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
    };

    /// <summary>Rejects header names that are reserved or malformed and values that could inject further headers.</summary>
    public static void Validate(IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        foreach (var (name, value) in headers)
        {
            if (string.IsNullOrWhiteSpace(name) || Reserved.Contains(name) || name.Any(c => c <= ' ' || c == ':' || c > '~'))
            {
                throw new ArgumentException($"'{name}' cannot be an extra email header.", nameof(headers));
            }

            if (value is null || value.Contains('\r', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException($"The value of email header '{name}' must be a single line.", nameof(headers));
            }
        }
    }
}
