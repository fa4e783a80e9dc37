using System.ComponentModel.DataAnnotations;
using Cronos;
using Microsoft.Extensions.Options;

namespace Engage.Functions.Digests;

public sealed class DigestOptions
{
    public const string Section = "Digest";

    /// <summary>NCRONTAB with seconds; default Mondays 08:00 UTC.</summary>
    public string Schedule { get; set; } = "0 0 8 * * 1";

    /// <summary>Where the app is reachable from a mail client: unsubscribe links start with it.</summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:7071";
}

public sealed class UnsubscribeOptions : IValidatableObject
{
    public const string Section = "Unsubscribe";

    /// <summary>HMAC key of unsubscribe tokens (at least 16 characters; a Key Vault secret in Azure).</summary>
    [Required(ErrorMessage = "Unsubscribe__SigningKey is required (at least 16 characters): it signs the unsubscribe links of digest mails.")]
    [MinLength(16, ErrorMessage = "Unsubscribe__SigningKey must be at least 16 characters.")]
    public string SigningKey { get; set; } = "";

    [Range(typeof(TimeSpan), "1.00:00:00", "366.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(60);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // An unresolved Key Vault reference is readable by anyone who reads the template: never a key.
        if (SigningKey.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult("Unsubscribe__SigningKey is an unresolved Key Vault reference: create the secret 'unsubscribe-signingkey'.", [nameof(SigningKey)]);
        }
    }
}

/// <summary>Timer schedules are checked at start, so a typo fails the app with the setting's name instead of a silent timer.</summary>
public sealed class ScheduleValidation(Microsoft.Extensions.Configuration.IConfiguration configuration) : IValidateOptions<DigestOptions>
{
    public static readonly string[] Settings = ["Digest:Schedule", "Scores:Schedule"];

    public ValidateOptionsResult Validate(string? name, DigestOptions options)
    {
        var failures = new List<string>();
        foreach (var setting in Settings)
        {
            var value = configuration[setting];
            if (value is null)
            {
                failures.Add($"{setting.Replace(":", "__", StringComparison.Ordinal)} is not set (a six-field NCRONTAB schedule, e.g. \"0 */5 * * * *\").");
                continue;
            }

            try
            {
                CronExpression.Parse(value, CronFormat.IncludeSeconds);
            }
            catch (CronFormatException e)
            {
                failures.Add($"{setting.Replace(":", "__", StringComparison.Ordinal)} \"{value}\" is not a six-field NCRONTAB schedule: {e.Message}");
            }
        }

        if (options.PublicBaseUrl.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add("Digest__PublicBaseUrl is an unresolved Key Vault reference.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
