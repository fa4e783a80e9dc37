using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Refit;

namespace Engage.Functions.Digests;

/// <summary>SendGrid v3 Mail Send. Authentication is added by <see cref="SendGridAuthentication"/>, so the key never passes through calls.</summary>
internal interface ISendGridApi
{
    [Post("/v3/mail/send")]
    Task<IApiResponse> SendAsync([Body(buffered: true)] SendGridMail mail, CancellationToken ct);
}

/// <summary>Source-generated JSON for the request body: names from the attributes, header names sent exactly as given.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SendGridMail))]
internal sealed partial class SendGridJson : JsonSerializerContext;

internal sealed record SendGridMail(
    [property: JsonPropertyName("personalizations")] IReadOnlyList<SendGridPersonalization> Personalizations,
    [property: JsonPropertyName("from")] SendGridAddress From,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("content")] IReadOnlyList<SendGridContent> Content);

internal sealed record SendGridPersonalization(
    [property: JsonPropertyName("to")] IReadOnlyList<SendGridAddress> To,
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string>? Headers);

internal sealed record SendGridAddress(
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("name")] string? Name);

internal sealed record SendGridContent(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("value")] string Value);

/// <summary>Adds <c>Authorization: Bearer {Email__ApiKey}</c>.</summary>
internal sealed class SendGridAuthentication(IOptions<EmailOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = options.Value.ConfiguredApiKey ?? throw new InvalidOperationException("Email__ApiKey is not set.");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// The standard resilience pipeline, narrowed for a POST that must not be delivered twice: retry only what certainly
/// did not deliver (429, and connections that were never made); never timeouts, 5xx or resets.
/// </summary>
internal static class SendGridResilience
{
    public const int MaxRetries = 3;
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan TotalTimeout = TimeSpan.FromMinutes(2);

    public static void Configure(HttpStandardResilienceOptions options, TimeProvider time)
    {
        options.AttemptTimeout.Timeout = AttemptTimeout;
        options.TotalRequestTimeout.Timeout = TotalTimeout;
        // The standard options require a sampling duration of at least twice the attempt timeout.
        options.CircuitBreaker.SamplingDuration = 2 * AttemptTimeout;

        options.Retry.MaxRetryAttempts = MaxRetries;
        options.Retry.BackoffType = DelayBackoffType.Exponential;
        options.Retry.UseJitter = true;
        options.Retry.Delay = TimeSpan.FromSeconds(1);
        options.Retry.ShouldRetryAfterHeader = false; // replaced by the capped delay below
        options.Retry.ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, time));
        options.Retry.DelayGenerator = args => ValueTask.FromResult(
            args.Outcome.Result is { } response ? RetryAfter(response, time) : null);
    }

    /// <summary>
    /// 429 whose <c>Retry-After</c> (if any) is within <see cref="MaxRetryAfter"/>, or a connection that was refused or
    /// whose host did not resolve. A longer Retry-After is not retried early: the failure goes back to the queue.
    /// </summary>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, TimeProvider time)
    {
        if (outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } response)
        {
            return RetryAfter(response, time) is not { } wait || wait <= MaxRetryAfter;
        }

        return outcome.Exception is HttpRequestException e && NeverReachedServer(e);
    }

    /// <summary>The request certainly never left this machine: no connection was made.</summary>
    public static bool NeverReachedServer(HttpRequestException e) =>
        e.HttpRequestError == HttpRequestError.NameResolutionError
        || e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData };

    /// <summary>The wait <c>Retry-After</c> asks for (delta seconds or an HTTP date), or null when absent.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        return wait is { } w && w < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}

internal sealed class SendGridEmailSender(ISendGridApi api, IOptions<EmailOptions> options, ILogger<SendGridEmailSender> logger) : IEmailSender
{
    public async Task<string> SendAsync(EmailMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        EmailHeaders.Validate(message.Headers);
        var settings = options.Value;
        var from = settings.Sender;
        var to = EmailAddresses.Recipient(message.To);
        var mail = new SendGridMail(
            [new SendGridPersonalization([Address(to)], message.Headers.Count == 0 ? null : message.Headers)],
            Address(from),
            message.Subject,
            // SendGrid requires text/plain before text/html.
            [new SendGridContent("text/plain", message.Text), new SendGridContent("text/html", message.Html)]);

        using var response = await SendAsync(mail, ct);
        if (response.IsSuccessStatusCode)
        {
            var id = response.Headers.TryGetValues("X-Message-Id", out var values) && values.FirstOrDefault() is { Length: > 0 } header
                ? header
                : "engage-" + Guid.NewGuid().ToString("N");
            logger.LogInformation("SendGrid accepted message {MessageId}", id);
            return id;
        }

        var status = response.StatusCode ?? 0;
        var errors = Redact(ErrorMessages(response.HasResponseError(out var apiError) ? apiError.Content : null), settings.ConfiguredApiKey);
        logger.LogWarning("SendGrid answered HTTP {StatusCode} to a mail send", (int)status);
        throw status switch
        {
            HttpStatusCode.BadRequest => new EmailRejectedException($"SendGrid rejected the message (HTTP 400): {errors}"),
            HttpStatusCode.Unauthorized => new EmailRejectedException(
                $"SendGrid rejected the API key in Email__ApiKey (HTTP 401): it is wrong, revoked or expired. SendGrid said: {errors}"),
            HttpStatusCode.Forbidden => new EmailRejectedException(
                $"SendGrid refused the API key in Email__ApiKey (HTTP 403): it lacks the Mail Send permission, or the account may not send. SendGrid said: {errors}"),
            HttpStatusCode.RequestEntityTooLarge => new EmailRejectedException($"SendGrid rejected the message as too large (HTTP 413): {errors}"),
            HttpStatusCode.TooManyRequests => new HttpRequestException(
                $"SendGrid is still rate limiting after {SendGridResilience.MaxRetries} retries (HTTP 429): {errors}", null, status),
            _ => new HttpRequestException(
                $"SendGrid answered HTTP {(int)status}; the message may or may not have been accepted, so it was not sent again: {errors}", null, status),
        };
    }

    /// <summary>The response, with transport failures rethrown without Refit's wrapper.</summary>
    private async Task<IApiResponse> SendAsync(SendGridMail mail, CancellationToken ct)
    {
        IApiResponse response;
        try
        {
            response = await api.SendAsync(mail, ct);
        }
        catch (ApiExceptionBase e)
        {
            // Refit's exceptions hold the request, Authorization header included: never let them escape.
            ExceptionDispatchInfo.Throw(Unwrap(e, ct));
            throw;
        }

        if (response.HasRequestError(out var requestError))
        {
            response.Dispose();
            ExceptionDispatchInfo.Throw(Unwrap(requestError, ct));
        }

        return response;
    }

    private static SendGridAddress Address(MimeKit.MailboxAddress mailbox) =>
        new(mailbox.Address, string.IsNullOrWhiteSpace(mailbox.Name) ? null : mailbox.Name);

    /// <summary>A transport failure without Refit's wrapper (which carries the request); cancellation stays cancellation.</summary>
    private static Exception Unwrap(ApiExceptionBase e, CancellationToken ct) => e.InnerException switch
    {
        OperationCanceledException when ct.IsCancellationRequested => new OperationCanceledException("The mail send was cancelled.", e.InnerException, ct),
        HttpRequestException or OperationCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException => e.InnerException,
        { } inner => new HttpRequestException($"Sending to SendGrid failed: {inner.Message}", inner),
        null => new HttpRequestException($"Sending to SendGrid failed: {e.Message}"),
    };

    /// <summary>SendGrid's <c>errors[].message</c> (with <c>field</c> when given), never the raw body.</summary>
    internal static string ErrorMessages(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "(no details)";
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                var messages = errors.EnumerateArray()
                    .Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                    .Select(e =>
                    {
                        var text = Truncate(e.GetProperty("message").GetString()!, 500);
                        return e.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? $"{text} (field {Truncate(f.GetString()!, 100)})" : text;
                    })
                    .Take(10)
                    .ToList();
                if (messages.Count > 0)
                {
                    return string.Join("; ", messages);
                }
            }
        }
        catch (JsonException)
        {
            // Not SendGrid's error shape (e.g. a proxy's HTML page): report no details rather than the body.
        }

        return "(no details)";
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length] + "…";

    private static string Redact(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "[redacted]", StringComparison.Ordinal);
}
