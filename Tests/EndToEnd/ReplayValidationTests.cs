using System.Net;
using System.Text;
using Engage.Tests.Support;

namespace Engage.Tests.EndToEnd;

/// <summary>Malformed <c>POST /api/ops/replay</c> bodies: answered 400 before anything is touched, so the shared DevHost serves.</summary>
[Collection(DevHostCollection.Name)]
public sealed class ReplayValidationTests(DevHostFixture host)
{
    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"from":"2026-11-01T00:00:00Z"}""")]
    [InlineData("""{"from":"2026-11-30T00:00:00Z","to":"2026-11-01T00:00:00Z"}""")]
    [InlineData("""{"from":"2025-01-01T00:00:00Z","to":"2026-11-01T00:00:00Z"}""")]
    [InlineData("""{"source":"myspace","from":"2026-11-01T00:00:00Z","to":"2026-11-30T00:00:00Z"}""")]
    [InlineData("""{"from":"last week","to":"2026-11-30T00:00:00Z"}""")]
    public async Task Replay_MalformedBody_Is400Problem(string body)
    {
        using var response = await host.Client.PostAsync("/api/ops/replay", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Replay_UnderAdmin_IsNotServed()
    {
        using var response = await host.Client.PostAsync("/api/admin/replay", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
