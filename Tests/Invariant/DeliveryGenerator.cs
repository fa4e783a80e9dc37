using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Engage.Domain.Sources;
using Engage.Tests.Support;

namespace Engage.Tests.Invariant;

/// <summary>One signed delivery: the body and the headers its platform sends with it (signed once, posted as often as the test likes).</summary>
public sealed record SignedDelivery(string Source, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public HttpRequestMessage ToHttp() => PlatformSigners.Http(Source, Body, Headers);

    public WebhookRequest ToRequest() => PlatformSigners.Request(Body, Headers);
}

/// <summary>
/// A seeded community across every source: threads of a root item, replies (some naming their parent's
/// author, some not), mentions, reactions, reposts, quotes, follows and accepted answers. Each delivery is
/// signed as its platform signs it, at <see cref="Now"/> (the fake clock of the host under test). Order is
/// the caller's business: the test shuffles, so replies, acceptances and reactions often come first.
/// </summary>
public sealed class DeliveryGenerator(int seed, DateTimeOffset now)
{
    private const int UsersPerSource = 10;
    private readonly Random _random = new(seed);

    public DateTimeOffset Now { get; } = now;

    private static readonly string[] Texts =
    [
        "How do I pin the runner image?",
        "Use the digest instead of the tag, it took builds from 9 to 2 minutes: https://example.org/pin",
        "Thanks, that fixed it!",
        "ok",
        "Shipped the new cache today https://example.org/release",
        "You should follow @{0}, she wrote the retry guide.",
        "Why does the cache miss on ARM runners?",
        "I measured it on three runners and the restore step is the slow one.",
        "+1",
        "Great write-up, thank you for the benchmarks.",
    ];

    private string Text(string mention) => string.Format(CultureInfo.InvariantCulture, Texts[_random.Next(Texts.Length)], mention);

    private DateTimeOffset RootTime() => Now.AddDays(-_random.Next(1, 20)).AddMinutes(-_random.Next(0, 1000));

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    /// <summary>About <paramref name="threads"/> threads per source; several deliveries each.</summary>
    public List<SignedDelivery> Generate(int threads)
    {
        var deliveries = new List<SignedDelivery>();
        for (var t = 0; t < threads; t++)
        {
            deliveries.AddRange(StandardThread(t));
            deliveries.AddRange(XThread(t));
            deliveries.AddRange(SlackThread(t));
            deliveries.AddRange(DiscourseThread(t));
            deliveries.AddRange(MastodonThread(t));
            deliveries.AddRange(GitHubThread(t));
        }

        return deliveries;
    }

    private int User() => _random.Next(UsersPerSource);

    private int Other(int not)
    {
        var u = User();
        return u == not ? (u + 1) % UsersPerSource : u;
    }

    private int Replies() => _random.Next(1, 5);

    // ---- Standard: every kind, replies without their parent's author, accepted answers, several events per delivery ----

    private IEnumerable<SignedDelivery> StandardThread(int t)
    {
        var root = User();
        var at = RootTime();
        var rootId = $"std:{seed}:{t}:0";
        var events = new List<string>
        {
            $$"""{"id":"{{rootId}}","kind":"post","actor":"std:u{{root}}","actorHandle":"u{{root}}","occurredAt":"{{Iso(at)}}","text":{{Json(Text($"std:u{Other(root)}"))}}}""",
        };
        for (var r = 1; r <= Replies(); r++)
        {
            var actor = Other(root);
            var named = _random.Next(2) == 0 ? $",\"author\":\"std:u{root}\"" : "";
            var accepted = r == 1 && _random.Next(3) == 0 ? ",\"accepted\":true" : "";
            var mention = _random.Next(3) == 0 ? $",\"mentions\":[\"std:u{Other(actor)}\"]" : "";
            events.Add($$"""{"id":"{{rootId}}:r{{r}}","kind":"reply","actor":"std:u{{actor}}","occurredAt":"{{Iso(at.AddMinutes(r * 7))}}","inReplyTo":{"id":"{{rootId}}"{{named}}},"threadRootAuthor":"std:u{{root}}","text":{{Json(Text($"std:u{actor}"))}}{{accepted}}{{mention}}}""");
        }

        var kinds = new[] { "reaction", "repost", "quote" };
        for (var k = 0; k < _random.Next(0, 3); k++)
        {
            var actor = Other(root);
            var kind = kinds[_random.Next(kinds.Length)];
            var text = kind == "quote" ? $",\"text\":{Json(Text("std:u0"))}" : "";
            events.Add($$"""{"id":"{{rootId}}:{{kind}}{{k}}","kind":"{{kind}}","actor":"std:u{{actor}}","occurredAt":"{{Iso(at.AddMinutes(60 + k))}}","subject":{"id":"{{rootId}}","author":"std:u{{root}}"}{{text}}}""");
        }

        if (_random.Next(4) == 0)
        {
            var follower = Other(root);
            events.Add($$$"""{"id":"std:{{{seed}}}:{{{t}}}:follow","kind":"follow","actor":"std:u{{{follower}}}","occurredAt":"{{{Iso(at.AddMinutes(90))}}}","subject":{"author":"std:u{{{root}}}"}}""");
        }

        // Split the thread's events over deliveries of one to three events each.
        for (var i = 0; i < events.Count;)
        {
            var take = Math.Min(events.Count - i, _random.Next(1, 4));
            var body = $$"""{"events":[{{string.Join(",", events.Skip(i).Take(take))}}]}""";
            i += take;
            var id = $"msg_{seed}_{t}_{i}";
            var ts = Now.ToUnixTimeSeconds();
            yield return new SignedDelivery("standard", body, new Dictionary<string, string>
            {
                ["webhook-id"] = id,
                ["webhook-timestamp"] = ts.ToString(CultureInfo.InvariantCulture),
                ["webhook-signature"] = StandardSigner.Sign(StandardSigner.Secret, id, ts, body),
            });
        }
    }

    // ---- X: tweets, replies, mentions, favorites of items not yet delivered, retweets, quotes, follows ----

    private long XId(int t, int n) => (((long)seed * 10_000) + t) * 100 + n + 1_000_000_000_000L;

    private static string XTime(DateTimeOffset at) => at.UtcDateTime.ToString("ddd MMM dd HH:mm:ss '+0000' yyyy", CultureInfo.InvariantCulture);

    private static string Tweet(long id, int author, DateTimeOffset at, string text, long? replyTo = null, int? replyToUser = null, int? mention = null)
    {
        var mentionJson = mention is { } m ? $$"""{"id_str":"{{m + 500}}","screen_name":"x{{m}}","indices":[0,1]}""" : "";
        var reply = replyTo is null ? "" : $$""","in_reply_to_status_id_str":"{{replyTo}}","in_reply_to_user_id_str":"{{replyToUser + 500}}" """;
        return $$"""
            {"created_at":"{{XTime(at)}}","id_str":"{{id}}","text":{{Json(text)}},
             "user":{"id_str":"{{author + 500}}","screen_name":"x{{author}}"},"is_quote_status":false,"timestamp_ms":"{{at.ToUnixTimeMilliseconds()}}",
             "entities":{"hashtags":[],"urls":[],"user_mentions":[{{mentionJson}}],"symbols":[]}{{reply}}}
            """;
    }

    private static SignedDelivery X(string body) => new("x", body, PlatformSigners.Headers("x", body));

    private IEnumerable<SignedDelivery> XThread(int t)
    {
        var root = User();
        var at = RootTime();
        var rootId = XId(t, 0);
        var rootTweet = Tweet(rootId, root, at, Text($"x{Other(root)}"));
        yield return X($$"""{"for_user_id":"{{root + 500}}","tweet_create_events":[{{rootTweet}}]}""");
        for (var r = 1; r <= Replies(); r++)
        {
            var actor = Other(root);
            int? mention = _random.Next(3) == 0 ? Other(actor) : null;
            var reply = Tweet(XId(t, r), actor, at.AddMinutes(r * 5), Text($"x{root}"), rootId, root, mention);
            yield return X($$"""{"for_user_id":"{{actor + 500}}","tweet_create_events":[{{reply}}]}""");
        }

        var fan = Other(root);
        var favoriteAt = at.AddMinutes(40);
        yield return X($$$"""
            {"for_user_id":"{{{root + 500}}}","favorite_events":[{"id":"fav{{{rootId}}}","created_at":"x","timestamp_ms":{{{favoriteAt.ToUnixTimeMilliseconds()}}},"favorited_status":{{{rootTweet}}},"user":{"id_str":"{{{fan + 500}}}","screen_name":"x{{{fan}}}"}}]}
            """);
        if (_random.Next(2) == 0)
        {
            var quoter = Other(root);
            var quoteText = Json(Text($"x{root}"));
            yield return X($$$"""
                {"for_user_id":"{{{quoter + 500}}}","tweet_create_events":[
                  {"created_at":"x","id_str":"{{{XId(t, 50)}}}","text":"RT @x{{{root}}}: original","user":{"id_str":"{{{quoter + 500}}}"},"timestamp_ms":"{{{at.AddMinutes(50).ToUnixTimeMilliseconds()}}}","retweeted_status":{{{rootTweet}}},"entities":{"user_mentions":[{"id_str":"{{{root + 500}}}"}]}},
                  {"created_at":"x","id_str":"{{{XId(t, 51)}}}","text":{{{quoteText}}},"user":{"id_str":"{{{quoter + 500}}}"},"timestamp_ms":"{{{at.AddMinutes(51).ToUnixTimeMilliseconds()}}}","is_quote_status":true,"quoted_status_id_str":"{{{rootId}}}","quoted_status":{{{rootTweet}}},"entities":{"user_mentions":[]}}]}
                """);
        }

        if (_random.Next(4) == 0)
        {
            var follower = Other(root);
            yield return X($$$"""
                {"for_user_id":"{{{root + 500}}}","follow_events":[{"type":"follow","created_timestamp":"{{{at.AddMinutes(70).ToUnixTimeMilliseconds()}}}","source":{"id":"{{{follower + 500}}}","screen_name":"x{{{follower}}}"},"target":{"id":"{{{root + 500}}}","screen_name":"x{{{root}}}"}}]}
                """);
        }
    }

    // ---- Slack: channel messages, thread replies, reactions to messages not yet delivered ----

    private const string Team = "TINV";

    private static string SlackTs(DateTimeOffset at, int n) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + $".{n:000000}";

    private SignedDelivery Slack(string eventId, string inner)
    {
        var body = $$"""
            {"token":"XXYYZZ","team_id":"{{Team}}","api_app_id":"A0ENGAGE","event":{{inner}},"type":"event_callback",
             "authorizations":[{"team_id":"{{Team}}","user_id":"UBOT","is_bot":true,"is_enterprise_install":false}],
             "event_id":"{{eventId}}","event_time":{{Now.ToUnixTimeSeconds()}}}
            """;
        return new SignedDelivery("slack", body, PlatformSigners.Headers("slack", body, at: Now));
    }

    private IEnumerable<SignedDelivery> SlackThread(int t)
    {
        var root = User();
        var at = RootTime();
        var channel = $"C{seed}X{t % 3}";
        var rootTs = SlackTs(at, t % 1000);
        yield return Slack($"Ev{seed}x{t}x0", $$"""{"type":"message","channel":"{{channel}}","user":"U{{root}}","text":{{Json(Text("x"))}},"ts":"{{rootTs}}","event_ts":"{{rootTs}}","channel_type":"channel"}""");
        for (var r = 1; r <= Replies(); r++)
        {
            var actor = Other(root);
            var ts = SlackTs(at.AddMinutes(r * 3), t % 1000);
            var mention = _random.Next(3) == 0 ? $"<@U{Other(actor)}> " : "";
            yield return Slack($"Ev{seed}x{t}x{r}", $$"""{"type":"message","channel":"{{channel}}","user":"U{{actor}}","text":{{Json(mention + Text("x"))}},"ts":"{{ts}}","thread_ts":"{{rootTs}}","parent_user_id":"U{{root}}","event_ts":"{{ts}}","channel_type":"channel"}""");
        }

        var fan = Other(root);
        yield return Slack($"Ev{seed}x{t}xr", $$"""{"type":"reaction_added","user":"U{{fan}}","reaction":"+1","item_user":"U{{root}}","item":{"type":"message","channel":"{{channel}}","ts":"{{rootTs}}"},"event_ts":"{{SlackTs(at.AddMinutes(30), 1)}}"}""");
    }

    // ---- Discourse: topics, replies to post numbers, likes ----

    private const string Forum = "https://forum.invariant.example";

    private static string DiscoursePost(long id, int topic, int number, string username, DateTimeOffset at, string raw, int? replyTo = null, string? replyToUser = null)
    {
        var reply = replyTo is null
            ? "\"reply_to_post_number\":null"
            : "\"reply_to_post_number\":" + replyTo.Value.ToString(CultureInfo.InvariantCulture)
              + ",\"reply_to_user\":{\"id\":1,\"username\":\"" + replyToUser + "\",\"name\":null,\"avatar_template\":\"/a/{size}.png\"}";
        var cooked = System.Net.WebUtility.HtmlEncode(raw);
        return $$"""
            {"id":{{id}},"name":null,"username":"{{username}}","avatar_template":"/a/{size}.png","created_at":"{{Iso(at)}}","cooked":{{Json("<p>" + cooked + "</p>")}},
             "post_number":{{number}},"post_type":1,"updated_at":"{{Iso(at)}}","reply_count":0,{{reply}},"quote_count":0,"topic_id":{{topic}},
             "topic_slug":"t","topic_title":"T","category_id":1,"raw":{{Json(raw)}},"user_id":{{id % 100000}},"trust_level":1,"topic_posts_count":{{number}},"topic_archetype":"regular"}
            """;
    }

    private SignedDelivery Discourse(string body, string eventName, string eventId) =>
        new("discourse", body, PlatformSigners.Headers("discourse", body, discourseEvent: eventName, discourseInstance: Forum, eventId: eventId));

    private IEnumerable<SignedDelivery> DiscourseThread(int t)
    {
        var root = User();
        var at = RootTime();
        var topic = (seed * 10_000) + t + 1;
        var posts = new List<(long Id, int Number, string User)> { ((long)topic * 100, 1, $"d{root}") };
        yield return Discourse($$"""{"post":{{DiscoursePost(posts[0].Id, topic, 1, posts[0].User, at, Text("d0"))}}}""", "post_created", $"{topic}-1");
        for (var r = 1; r <= Replies(); r++)
        {
            var parent = posts[_random.Next(posts.Count)];
            var actor = $"d{User()}";
            var post = ((long)topic * 100 + r, r + 1, actor);
            posts.Add(post);
            var mention = _random.Next(3) == 0 ? $"@d{User()} " : "";
            yield return Discourse($$"""{"post":{{DiscoursePost(post.Item1, topic, post.Item2, actor, at.AddMinutes(r * 4), mention + Text("d1"), parent.Number, parent.User)}}}""", "post_created", $"{topic}-{post.Item2}");
        }

        var liked = posts[_random.Next(posts.Count)];
        var liker = $"d{User()}";
        var like = "{\"like\":{\"post\":" + DiscoursePost(liked.Id, topic, liked.Number, liked.User, at, "liked")
            + ",\"user\":{\"id\":1,\"username\":\"" + liker + "\",\"name\":null,\"avatar_template\":\"/a/{size}.png\"}}}";
        yield return Discourse(like, "post_liked", $"{topic}-like");
    }

    // ---- Mastodon: statuses, replies, boosts ----

    private const string Instance = "social.invariant.example";

    private static string MastodonStatus(long id, int account, DateTimeOffset at, string content, long? replyTo = null, int? replyToAccount = null, string? reblog = null)
    {
        var inReplyTo = replyTo is null ? "null" : $"\"{replyTo}\"";
        var inReplyToAccount = replyToAccount is null ? "null" : $"\"{replyToAccount + 700}\"";
        var mentions = replyToAccount is null ? "" : $"{{\"id\":\"{replyToAccount + 700}\",\"username\":\"m{replyToAccount}\",\"acct\":\"m{replyToAccount}\",\"url\":\"https://{Instance}/@m{replyToAccount}\"}}";
        return $$"""
            {"id":"{{id}}","created_at":"{{Iso(at)}}","in_reply_to_id":{{inReplyTo}},"in_reply_to_account_id":{{inReplyToAccount}},
             "sensitive":false,"spoiler_text":"","visibility":"public",
             "uri":"https://{{Instance}}/users/m{{account}}/statuses/{{id}}","url":"https://{{Instance}}/@m{{account}}/{{id}}","content":{{Json("<p>" + System.Net.WebUtility.HtmlEncode(content) + "</p>")}},
             "reblog":{{reblog ?? "null"}},"account":{"id":"{{account + 700}}","username":"m{{account}}","acct":"m{{account}}","url":"https://{{Instance}}/@m{{account}}"},
             "mentions":[{{mentions}}],"tags":[],"emojis":[],"media_attachments":[],"card":null,"poll":null}
            """;
    }

    private SignedDelivery Mastodon(string status)
    {
        var body = $$"""{"event":"status.created","created_at":"{{Iso(Now)}}","object":{{status}}}""";
        return new SignedDelivery("mastodon", body, PlatformSigners.Headers("mastodon", body));
    }

    private IEnumerable<SignedDelivery> MastodonThread(int t)
    {
        var root = User();
        var at = RootTime();
        var rootId = ((long)seed * 10_000 + t) * 100 + 2_000_000_000L;
        var rootStatus = MastodonStatus(rootId, root, at, Text("m0"));
        yield return Mastodon(rootStatus);
        for (var r = 1; r <= Replies(); r++)
        {
            yield return Mastodon(MastodonStatus(rootId + r, Other(root), at.AddMinutes(r * 6), Text("m1"), rootId, root));
        }

        if (_random.Next(2) == 0)
        {
            yield return Mastodon(MastodonStatus(rootId + 60, Other(root), at.AddMinutes(60), "", reblog: rootStatus));
        }
    }

    // ---- GitHub: issues and comments; discussions, comments and accepted answers ----

    private static JsonObject Example(string group) =>
        JsonNode.Parse(GitHubExamples.All.First(e => e.Group == group).Json)!.AsObject();

    private static void Person(JsonNode node, string login)
    {
        node["user"]!["login"] = login;
        node["user"]!["type"] = "User";
    }

    private static SignedDelivery GitHub(JsonObject payload, string gitHubEvent, string deliveryId)
    {
        var body = payload.ToJsonString();
        return new SignedDelivery("github", body, new Dictionary<string, string>
        {
            ["User-Agent"] = "GitHub-Hookshot/engage-tests",
            ["X-GitHub-Event"] = gitHubEvent,
            ["X-GitHub-Delivery"] = deliveryId,
            ["X-Hub-Signature-256"] = GitHubSigner.Sign(GitHubSigner.Secret, body),
        });
    }

    private IEnumerable<SignedDelivery> GitHubThread(int t)
    {
        var baseId = ((long)seed * 10_000 + t) * 100 + 3_000_000_000L;
        var at = RootTime();
        var root = $"gh{User()}";
        if (t % 2 == 0)
        {
            var issue = Example("issues.opened");
            issue["issue"]!["id"] = baseId;
            issue["issue"]!["created_at"] = Iso(at);
            issue["issue"]!["body"] = Text("gh1");
            Person(issue["issue"]!, root);
            yield return GitHub(issue, "issues", $"gh-{baseId}");
            for (var r = 1; r <= Replies(); r++)
            {
                var comment = Example("issue_comment.created");
                comment["issue"] = issue["issue"]!.DeepClone();
                comment["comment"]!["id"] = baseId + r;
                comment["comment"]!["created_at"] = Iso(at.AddMinutes(r * 8));
                comment["comment"]!["body"] = Text($"gh{User()}");
                Person(comment["comment"]!, $"gh{User()}");
                yield return GitHub(comment, "issue_comment", $"gh-{baseId + r}");
            }

            yield break;
        }

        var discussion = Example("discussion.created");
        discussion["discussion"]!["id"] = baseId;
        discussion["discussion"]!["created_at"] = Iso(at);
        discussion["discussion"]!["body"] = "How do I make the cache work on ARM?";
        Person(discussion["discussion"]!, root);
        yield return GitHub(discussion, "discussion", $"gh-{baseId}");
        var replies = Replies();
        for (var r = 1; r <= replies; r++)
        {
            var comment = Example("discussion_comment.created");
            comment["discussion"] = discussion["discussion"]!.DeepClone();
            comment["comment"]!["id"] = baseId + r;
            comment["comment"]!["parent_id"] = null;
            comment["comment"]!["created_at"] = Iso(at.AddMinutes(r * 9));
            comment["comment"]!["body"] = Text($"gh{User()}");
            Person(comment["comment"]!, $"gh{User()}");
            yield return GitHub(comment, "discussion_comment", $"gh-{baseId + r}");
            if (r == 1 && _random.Next(2) == 0)
            {
                var answered = Example("discussion.answered");
                answered["discussion"] = discussion["discussion"]!.DeepClone();
                answered["answer"] = comment["comment"]!.DeepClone();
                yield return GitHub(answered, "discussion", $"gh-{baseId + r}-answered");
            }
        }
    }

    /// <summary>Each delivery 1–3 times, the whole shuffled (Fisher–Yates with the generator's seed).</summary>
    public List<SignedDelivery> WithRedeliveriesShuffled(IReadOnlyList<SignedDelivery> deliveries)
    {
        var posts = new List<SignedDelivery>();
        foreach (var d in deliveries)
        {
            for (var k = _random.Next(1, 4); k > 0; k--)
            {
                posts.Add(d);
            }
        }

        for (var i = posts.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (posts[i], posts[j]) = (posts[j], posts[i]);
        }

        return posts;
    }

    public static string Describe(IEnumerable<SignedDelivery> deliveries) =>
        string.Join(", ", deliveries.GroupBy(d => d.Source).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))
        + $" ({Encoding.UTF8.GetByteCount(string.Concat(deliveries.Select(d => d.Body))) / 1024} KiB)";
}
