using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Engage.Functions.Digests;
using Engage.Functions.Scores;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Engage.Tests.EndToEnd;

/// <summary>
/// The weekly digest from subscription to mail: the sample conversation in a store of its own, the
/// clock on a Monday morning, the pickup provider writing .eml files.
/// </summary>
public sealed class DigestEndToEndTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private readonly IsolatedDevHost _host = new(Monday);
    private readonly string _outbox = Directory.CreateTempSubdirectory("engage-outbox-").FullName;

    public async Task InitializeAsync()
    {
        _host.Host.Overrides["Email:Provider"] = "pickup";
        _host.Host.Overrides["Email:PickupDirectory"] = _outbox;
        await _host.StartAsync();
        var body = await File.ReadAllTextAsync(RepoPaths.Of("samples", "conversation.json"));
        using var response = await _host.Client.SendAsync(StandardSigner.Request(body, at: Monday));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Eventually.Until(async () =>
        {
            using var community = await _host.Client.GetAsync("/api/community");
            return community.IsSuccessStatusCode ? (await community.ReadAsync<CommunityResponse>()).Interactions : 0;
        }, n => n == 13);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_outbox, recursive: true);
    }

    private async Task<HttpStatusCode> SubscribeAsync(string user, string email, string timeZone = "Europe/London", string cadence = "weekly")
    {
        using var response = await _host.Client.PutAsync($"/api/users/{user}/subscription",
            new StringContent(JsonSerializer.Serialize(new { email, cadence, timeZone }), Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }

    private async Task RunSchedulerAsync()
    {
        using var run = await _host.Client.PostAsync("/admin/functions/DigestScheduler", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
    }

    /// <summary>Waits until the digests queue is empty and nothing is invisible (being processed) any more.</summary>
    private async Task DrainAsync()
    {
        var queue = _host.Host.Services.GetRequiredService<QueueServiceClient>().GetQueueClient("digests");
        await Eventually.Until(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
    }

    private string[] Mails() => Directory.GetFiles(_outbox, "*.eml");

    [Fact]
    public async Task Scheduler_TwoSubscribers_OneMailEach_AndNoneOnASecondRun()
    {
        Assert.Equal(HttpStatusCode.OK, await SubscribeAsync("demo:ada", "ada@example.org"));
        Assert.Equal(HttpStatusCode.OK, await SubscribeAsync("demo:hal", "hal@example.org", "America/New_York"));

        await RunSchedulerAsync();
        var mails = await Eventually.Until(() => Task.FromResult(Mails()), m => m.Length >= 2);
        await DrainAsync();
        Assert.Equal(2, Mails().Length);

        await RunSchedulerAsync();
        await DrainAsync();
        Assert.Equal(2, Mails().Length);

        var messages = mails.Select(m => MimeMessage.Load(m)).ToList();
        Assert.Equal(["ada@example.org", "hal@example.org"], messages.Select(m => m.To.Mailboxes.Single().Address).Order(StringComparer.Ordinal));
        var hal = messages.Single(m => m.To.Mailboxes.Single().Address == "hal@example.org");
        Assert.Contains("@gus", hal.Subject, StringComparison.Ordinal);
        Assert.Contains("answered your question on 11 Nov", hal.TextBody, StringComparison.Ordinal);
        Assert.Contains("People to thank", hal.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", hal.Headers["List-Unsubscribe-Post"]);
        Assert.StartsWith("<http://engage.test/api/unsubscribe?token=", hal.Headers["List-Unsubscribe"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneClickUnsubscribe_FromTheMailHeader_StopsTheNextDigest()
    {
        Assert.Equal(HttpStatusCode.OK, await SubscribeAsync("demo:ben", "ben@example.org"));
        await RunSchedulerAsync();
        var mail = MimeMessage.Load((await Eventually.Until(() => Task.FromResult(Mails()), m => m.Length == 1)).Single());
        var url = new Uri(mail.Headers["List-Unsubscribe"]!.Trim('<', '>'));

        using (var page = await _host.Client.GetAsync(url.PathAndQuery))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<form method=\"post\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var oneClick = await _host.Client.PostAsync(url.PathAndQuery, new StringContent("List-Unsubscribe=One-Click", Encoding.UTF8, "application/x-www-form-urlencoded")))
        {
            Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        }

        var subscription = await _host.Client.GetOkAsync<SubscriptionResponse>("/api/users/demo:ben/subscription");
        Assert.Equal("off", subscription.Cadence);

        await DrainAsync();
        _host.Clock.Advance(TimeSpan.FromDays(7));
        await RunSchedulerAsync();
        await DrainAsync();
        Assert.Single(Mails());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?token=")]
    [InlineData("?token=forged.token")]
    public async Task Unsubscribe_BadToken_Is400(string query)
    {
        using var get = await _host.Client.GetAsync("/api/unsubscribe" + query);
        using var post = await _host.Client.PostAsync("/api/unsubscribe" + query, null);

        Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
    }

    [Fact]
    public async Task Preview_HtmlAndText()
    {
        using var html = await _host.Client.GetAsync("/api/users/demo:hal/digest");
        using var text = await _host.Client.GetAsync("/api/users/demo:hal/digest?format=text");

        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains("People to thank", await html.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("text/plain", text.Content.Headers.ContentType?.MediaType);
        Assert.Contains("PEOPLE TO THANK", await text.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_Ben_ThanksTheRecommenderAndFaysQuestionWaits()
    {
        var text = await _host.Client.GetStringAsync("/api/users/demo:ben/digest?format=text");

        // fay asked ben a question: that is an ask, listed under questions, not a favour to repay.
        var toThank = text[text.IndexOf("PEOPLE TO THANK", StringComparison.Ordinal)..text.IndexOf("QUESTIONS WAITING FOR YOU", StringComparison.Ordinal)];
        Assert.Contains("@cy", toThank, StringComparison.Ordinal);
        Assert.Contains("recommended you on 19 Nov", toThank, StringComparison.Ordinal);
        Assert.DoesNotContain("@fay", toThank, StringComparison.Ordinal);
        Assert.DoesNotContain("@ada", toThank, StringComparison.Ordinal);
        Assert.Contains("@fay", text[text.IndexOf("QUESTIONS WAITING FOR YOU", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"email\":\"not-an-address\"}")]
    [InlineData("{\"email\":\"ada@localhost\"}")]
    [InlineData("{\"email\":\"Ada <ada@example.org>\"}")]
    [InlineData("{\"email\":\"ada@example.org\",\"timeZone\":\"Mars/Olympus\"}")]
    [InlineData("{\"email\":\"ada@example.org\",\"timeZone\":\"GMT Standard Time\"}")]
    [InlineData("{\"email\":\"ada@example.org\",\"cadence\":\"daily\"}")]
    [InlineData("not json")]
    public async Task Subscription_Invalid_Is400(string body)
    {
        using var response = await _host.Client.PutAsync("/api/users/demo:ada/subscription", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Subscription_UserWithoutFacts_PutGetDelete()
    {
        var user = "new:someone-" + Guid.NewGuid().ToString("N")[..8];

        Assert.Equal(HttpStatusCode.OK, await SubscribeAsync(user, "someone@example.org", "Asia/Tokyo"));
        var stored = await _host.Client.GetOkAsync<SubscriptionResponse>($"/api/users/{user}/subscription");
        Assert.Equal("Asia/Tokyo", stored.TimeZone);
        Assert.Equal("weekly", stored.Cadence);

        using (var delete = await _host.Client.DeleteAsync($"/api/users/{user}/subscription"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var gone = await _host.Client.GetAsync($"/api/users/{user}/subscription");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
