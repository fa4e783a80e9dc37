using Azure.Data.Tables;
using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.People;
using Engage.Functions.People;
using Engage.Functions.Storage;
using Engage.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Engage.Tests.People;

/// <summary>What ingestion records about an identity (decisions 1141, 1144), against Azurite: bot people and profiles, once per identity.</summary>
public sealed class IdentityRecorderTests : IAsyncLifetime
{
    private readonly ServiceProvider _services = TestServices.Create();
    private IdentityRecorder Recorder => _services.GetRequiredService<IdentityRecorder>();
    private PeopleStore People => _services.GetRequiredService<PeopleStore>();
    private EngageStorage Storage => _services.GetRequiredService<EngageStorage>();

    public async Task InitializeAsync() => await Storage.EnsureReadyAsync(CancellationToken.None);

    public Task DisposeAsync() => OwnTables.DisposeAsync(_services);

    private static Interaction By(string actor, bool bot = false, string? name = null, IReadOnlyList<string>? links = null) => new()
    {
        Id = "t:" + Guid.NewGuid().ToString("N"),
        Kind = InteractionKind.Post,
        Actor = actor,
        ActorHandle = "ci-helper",
        ActorIsBot = bot,
        ActorName = name,
        ActorLinks = links,
        OccurredAt = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task FlaggedBot_BecomesABotPerson_WrittenOncePerProcess()
    {
        await Recorder.RecordAsync(By("slack:T1.B1", bot: true), CancellationToken.None);

        var person = await People.GetAsync("bot-slack.T1.B1", CancellationToken.None);
        Assert.NotNull(person);
        Assert.Equal(PersonRoles.Bot, person.Role);
        Assert.Equal("ci-helper", person.Name);
        Assert.Equal(["slack:T1.B1"], person.Identities);
        Assert.Equal("bot-slack.T1.B1", (await People.PersonOfAsync(["slack:T1.B1"], CancellationToken.None))["slack:T1.B1"]);

        // The memo: once marked, later interactions of the same identity make no storage call (a deleted person stays deleted here).
        Assert.True(await People.DeleteAsync("bot-slack.T1.B1", CancellationToken.None));
        await Recorder.RecordAsync(By("slack:T1.B1", bot: true), CancellationToken.None);
        Assert.Null(await People.GetAsync("bot-slack.T1.B1", CancellationToken.None));

        // Another process (a new memo) marks it again: insert-if-absent, idempotent.
        var other = new IdentityRecorder(Storage, Microsoft.Extensions.Logging.Abstractions.NullLogger<IdentityRecorder>.Instance);
        await other.RecordAsync(By("slack:T1.B1", bot: true), CancellationToken.None);
        await other.RecordAsync(By("slack:T1.B1", bot: true), CancellationToken.None);
        Assert.NotNull(await People.GetAsync("bot-slack.T1.B1", CancellationToken.None));
    }

    [Fact]
    public async Task FlaggedBot_AlreadyLinkedByAHuman_StaysTheirs()
    {
        Assert.NotNull((await People.PutAsync(new Person("helper", "Helper", PersonRoles.Member, ["mastodon:m.example.9"]), false, CancellationToken.None)).Person);

        await Recorder.RecordAsync(By("mastodon:m.example.9", bot: true), CancellationToken.None);

        Assert.Null(await People.GetAsync("bot-mastodon.m.example.9", CancellationToken.None));
        Assert.Equal(PersonRoles.Member, (await People.GetAsync("helper", CancellationToken.None))!.Role);
    }

    [Fact]
    public async Task Person_IsNeverMarked_AndProfilesAreWrittenOnChange()
    {
        await Recorder.RecordAsync(By("github:ana"), CancellationToken.None);
        Assert.Empty(await People.ReadProfilesAsync(CancellationToken.None));
        Assert.Empty((await People.ReadAllAsync(CancellationToken.None)).PersonOf);

        await Recorder.RecordAsync(By("github:ana", name: "Ana Lima", links: ["x:ana_codes"]), CancellationToken.None);
        var profile = Assert.Single(await People.ReadProfilesAsync(CancellationToken.None));
        Assert.Equal(("github:ana", "Ana Lima"), (profile.UserId, profile.Name));
        Assert.Equal(["x:ana_codes"], profile.Links);

        // Unchanged: no write (a row deleted behind the memo's back stays deleted); changed: written again.
        await Storage.Profiles.DeleteEntityAsync(FactKeys.Escape("github:ana"), IdentityRecorder.ProfileRow);
        await Recorder.RecordAsync(By("github:ana", name: "Ana Lima", links: ["x:ana_codes"]), CancellationToken.None);
        Assert.Empty(await People.ReadProfilesAsync(CancellationToken.None));
        await Recorder.RecordAsync(By("github:ana", name: "Ana M. Lima"), CancellationToken.None);
        Assert.Equal("Ana M. Lima", Assert.Single(await People.ReadProfilesAsync(CancellationToken.None)).Name);
    }
}
