using System.Text;
using Engage.Functions.Ops;

namespace Engage.Tests.Ops;

public sealed class ReplayRequestTests
{
    private static readonly string[] Sources = ["standard", "github"];

    /// <summary>The request, or the 400's detail when the body is refused.</summary>
    private static async Task<(ReplayRequest? Request, string? Error)> ReadAsync(string json)
    {
        try
        {
            return (await ReplayRequest.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), Sources, CancellationToken.None), null);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            Assert.Equal(400, e.StatusCode);
            return (null, e.Message);
        }
    }

    [Fact]
    public async Task ReadAsync_WellFormed_IsUtcWithTheSourcesOwnName()
    {
        var (request, error) = await ReadAsync("""{"source":"GitHub","from":"2026-11-01T01:00:00+01:00","to":"2026-11-30T00:00:00Z"}""");

        Assert.Null(error);
        Assert.Equal(new ReplayRequest("github", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)), request);
    }

    [Fact]
    public async Task ReadAsync_NoSource_IsAllSources()
    {
        var (request, _) = await ReadAsync("""{"from":"2026-11-01","to":"2026-11-02"}""");

        Assert.NotNull(request);
        Assert.Null(request.Source);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("""{"to":"2026-11-30T00:00:00Z"}""")]
    [InlineData("""{"from":"2026-11-01T00:00:00Z"}""")]
    [InlineData("""{"from":"yesterday","to":"2026-11-30T00:00:00Z"}""")]
    [InlineData("""{"from":"11/01/2026","to":"2026-11-30T00:00:00Z"}""")]
    [InlineData("""{"from":20261101,"to":"2026-11-30T00:00:00Z"}""")]
    [InlineData("""{"from":"2026-11-30T00:00:00Z","to":"2026-11-30T00:00:00Z"}""")]
    [InlineData("""{"from":"2026-12-01T00:00:00Z","to":"2026-11-30T00:00:00Z"}""")]
    [InlineData("""{"from":"2025-11-01T00:00:00Z","to":"2026-11-03T00:00:00Z"}""")]
    [InlineData("""{"from":"1999-12-01T00:00:00Z","to":"2000-01-03T00:00:00Z"}""")]
    [InlineData("""{"source":"myspace","from":"2026-11-01T00:00:00Z","to":"2026-11-30T00:00:00Z"}""")]
    [InlineData("""{"source":"","from":"2026-11-01T00:00:00Z","to":"2026-11-30T00:00:00Z"}""")]
    public async Task ReadAsync_Malformed_IsAnError(string json)
    {
        var (request, error) = await ReadAsync(json);

        Assert.Null(request);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public async Task ReadAsync_Exactly366Days_IsAllowed()
    {
        var (request, error) = await ReadAsync("""{"from":"2027-01-01T00:00:00Z","to":"2028-01-02T00:00:00Z"}""");

        Assert.Null(error);
        Assert.NotNull(request);
    }

    [Theory]
    [InlineData("2026-10-31", false)]
    [InlineData("2026-11-01", true)]
    [InlineData("2026-11-15", true)]
    [InlineData("2026-11-30", true)]
    [InlineData("2026-12-01", false)]
    public void Covers_ArchiveDaysOverlappingTheRange(string day, bool covered)
    {
        var request = new ReplayRequest(null, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(covered, request.Covers(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Covers_PartOfADay_CoversTheWholeDay()
    {
        var request = new ReplayRequest(null, new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero));

        Assert.True(request.Covers(new DateOnly(2026, 11, 20)));
        Assert.True(request.Covers(new DateOnly(2026, 11, 21)));
        Assert.False(request.Covers(new DateOnly(2026, 11, 22)));
    }

    [Fact]
    public void Months_AcrossAYearEnd_AreEveryMonthTouched()
    {
        var request = new ReplayRequest(null, new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(["2026/11/", "2026/12/", "2027/01/", "2027/02/"], request.Months());
    }

    [Theory]
    [InlineData("github/2026/11/20/abc-1.json", "2026-11-20")]
    [InlineData("github/2026/13/20/abc-1.json", null)]
    [InlineData("github/2026/11/abc-1.json", null)]
    [InlineData("github/2026/11/20/x/abc-1.json", null)]
    public void ArchiveDay_ReadsTheDateInThePath(string name, string? expected)
    {
        Assert.Equal(expected is null ? null : DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Replayer.ArchiveDay(name));
    }
}
