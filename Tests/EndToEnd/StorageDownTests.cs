using System.Net;
using Engage.Tests.Support;

namespace Engage.Tests.EndToEnd;

/// <summary>DevHost pointed at ports where nothing listens: storage is unreachable.</summary>
public sealed class StorageDownTests : IAsyncLifetime
{
    private readonly DevHostFixture _host = new();

    public Task InitializeAsync()
    {
        _host.Overrides["AzureWebJobsStorage"] = TestStorage.ConnectionStringFor(TestStorage.FreePort(), TestStorage.FreePort(), TestStorage.FreePort());
        _host.Overrides["DevHost:DisableBackgroundWork"] = "true";
        return _host.InitializeAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Webhook_StorageUnreachable_Is503WithRetryAfter()
    {
        using var response = await _host.Client.SendAsync(StandardSigner.Request("""{"events":[]}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_StorageUnreachable_Is503()
    {
        using var response = await _host.Client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/users/x:1/subscription")]
    [InlineData("/api/users/x:1/digest")]
    [InlineData("/api/users/x:1/engagement")]
    [InlineData("/api/users/x:1/reciprocity")]
    [InlineData("/api/community")]
    public async Task Reads_StorageUnreachable_Are503(string path)
    {
        using var response = await _host.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
