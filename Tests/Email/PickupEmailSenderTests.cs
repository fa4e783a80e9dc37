using Engage.Functions.Digests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Engage.Tests.Email;

/// <summary>The pickup sender as registered by <c>AddEngageEmail</c>, writing real files that MimeKit reads back.</summary>
public sealed class PickupEmailSenderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "engage-outbox-" + Guid.NewGuid().ToString("N"), "nested");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 8, 5, 7, 123, TimeSpan.Zero));

    public void Dispose()
    {
        var root = Path.GetDirectoryName(_directory)!;
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private ServiceProvider Services(string? from = "Engage Digest <digest@example.org>")
    {
        var services = EmailTestSupport.Services(new Dictionary<string, string?>
        {
            ["Email:Provider"] = "pickup",
            ["Email:PickupDirectory"] = _directory,
            ["Email:From"] = from,
        });
        return services;
    }

    private IEmailSender Sender(ServiceProvider services) =>
        ActivatorUtilities.CreateInstance<PickupEmailSender>(services, _time);

    [Fact]
    public async Task SendAsync_Message_WritesAnEmlWithBothPartsAndTheHeaders()
    {
        using var services = Services();

        var id = await Sender(services).SendAsync(EmailTestSupport.Message(), CancellationToken.None);

        var path = Path.Combine(_directory, id);
        Assert.Equal([path], Directory.GetFiles(_directory));
        using var mime = await MimeMessage.LoadAsync(path);
        Assert.Equal("Your week in Engage", mime.Subject);
        var to = Assert.Single(mime.To.Mailboxes);
        Assert.Equal(("Ada Lovelace", "ada@example.org"), (to.Name, to.Address));
        var from = Assert.Single(mime.From.Mailboxes);
        Assert.Equal(("Engage Digest", "digest@example.org"), (from.Name, from.Address));
        Assert.Equal(_time.GetUtcNow().AddMilliseconds(-123), mime.Date); // the Date header has whole seconds
        Assert.False(string.IsNullOrEmpty(mime.MessageId));
        Assert.Equal("<https://engage.example.org/api/unsubscribe?token=abc123>", mime.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mime.Headers["List-Unsubscribe-Post"]);
        var alternative = Assert.IsType<MultipartAlternative>(mime.Body);
        var parts = alternative.OfType<TextPart>().ToList();
        Assert.Equal(["text/plain", "text/html"], parts.Select(p => p.ContentType.MimeType));
        Assert.Equal("You earned 42 points.", parts[0].Text.TrimEnd());
        Assert.Equal("<html><body><p>You earned <b>42</b> points.</p></body></html>", parts[1].Text.TrimEnd());
    }

    [Fact]
    public async Task SendAsync_Message_NamesTheFileByTimeRecipientAndShortId()
    {
        using var services = Services();

        var id = await Sender(services).SendAsync(EmailTestSupport.Message("Ada <\"ada/lovelace\"@example.org>"), CancellationToken.None);

        Assert.Matches(@"^20261130T080507123-_ada_lovelace_@example\.org-[0-9a-f]{8}\.eml$", id);
    }

    [Fact]
    public async Task SendAsync_TwoMessagesInTheSameMillisecond_WritesTwoFilesAndNoTemporaries()
    {
        using var services = Services();
        var sender = Sender(services);

        var first = await sender.SendAsync(EmailTestSupport.Message(), CancellationToken.None);
        var second = await sender.SendAsync(EmailTestSupport.Message(), CancellationToken.None);

        Assert.NotEqual(first, second);
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), Directory.GetFiles(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SendAsync_NoFromConfigured_UsesAPlaceholderSender()
    {
        using var services = Services(from: null);

        var id = await Sender(services).SendAsync(EmailTestSupport.Message(), CancellationToken.None);

        using var mime = await MimeMessage.LoadAsync(Path.Combine(_directory, id));
        Assert.EndsWith(".invalid", Assert.Single(mime.From.Mailboxes).Domain, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_HeaderWithLineBreak_IsRefusedAndWritesNothing()
    {
        using var services = Services();
        var message = EmailTestSupport.Message() with
        {
            Headers = new Dictionary<string, string> { ["List-Unsubscribe"] = "<https://x>\r\nBcc: victim@example.org" },
        };

        await Assert.ThrowsAsync<ArgumentException>(() => Sender(services).SendAsync(message, CancellationToken.None));

        Assert.False(Directory.Exists(_directory) && Directory.EnumerateFileSystemEntries(_directory).Any());
    }

    [Fact]
    public void AddEngageEmail_Pickup_RegistersOnlyThePickupSender()
    {
        using var services = Services();

        var sender = Assert.Single(services.GetServices<IEmailSender>());

        Assert.IsType<PickupEmailSender>(sender);
    }
}
