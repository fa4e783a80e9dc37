using System.Globalization;
using Engage.Domain.Facts;
using Engage.Domain.Scoring;

namespace Engage.Domain.Digests;

/// <summary>Composes a digest from a user's interactions (pure): nothing is said that the data does not show.</summary>
public static class DigestComposer
{
    public const int MaxOwed = 3;

    /// <param name="interactions">The user's resolved interactions covering the 60 days before <paramref name="asOf"/> (this month and the previous one, for the change).</param>
    public static Digest Compose(string userId, IReadOnlyList<Resolved> interactions, Func<string, string?> handleOf,
        DateTimeOffset asOf, TimeZoneInfo timeZone, ScoringOptions options)
    {
        var month = new Window(asOf, Digest.Period);
        var previous = new Window(asOf - Digest.Period, Digest.Period);
        var engagement = EngagementFold.Fold(userId, interactions, handleOf(userId), month, options);
        var before = EngagementFold.Fold(userId, interactions.Where(i => i.OccurredAt < month.From).ToList(), null, previous, options);
        var reciprocity = ReciprocityFold.Fold(userId, interactions, handleOf, month, options, top: 1000);
        var user = new Person(userId, handleOf(userId));
        Person P(string id) => new(id, handleOf(id));

        var inMonth = interactions.Where(i => month.Contains(i.OccurredAt)).ToList();
        var owed = reciprocity.Owed.Take(MaxOwed)
            .Select(o => new OwedPerson(P(o.UserId), o.Received.Points, DeedsOf(o.UserId, userId, inMonth, timeZone)))
            .ToList();
        var open = reciprocity.OpenQuestions
            .Select(q => new WaitingQuestion(q.Id, P(q.From), q.AskedAt, (int)Math.Floor((asOf - q.AskedAt).TotalDays)))
            .ToList();
        var best = reciprocity.Counterparts
            .Where(c => c.Given.Count > 0 && c.Received.Count > 0)
            .OrderByDescending(c => c.Given.Count + c.Received.Count).ThenByDescending(c => c.LastInteractionAt).ThenBy(c => c.UserId, StringComparer.Ordinal)
            .Select(c => new Conversation(P(c.UserId), c.Given.Count, c.Received.Count, c.LastInteractionAt))
            .FirstOrDefault();

        var isEmpty = inMonth.Count == 0;
        var digest = new Digest(user, asOf, timeZone, isEmpty, engagement.Score, before.Score, engagement.ConversationActions, engagement.BroadcastActions, owed, open, best, "");
        return digest with { Suggestion = Suggest(digest, engagement.Counts) };
    }

    /// <summary>How <paramref name="giver"/> helped <paramref name="userId"/> this month (the help owed counts), most recent first.</summary>
    private static List<Deed> DeedsOf(string giver, string userId, IReadOnlyList<Resolved> inMonth, TimeZoneInfo zone)
    {
        string Day(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).ToString("d MMM", CultureInfo.InvariantCulture);
        var deeds = new List<Deed>();
        foreach (var i in inMonth.Where(i => i.Actor == giver).OrderByDescending(i => i.OccurredAt).ThenBy(i => i.Id, StringComparer.Ordinal))
        {
            var text = Help.To(i, userId) switch
            {
                HelpKind.AcceptedAnswer => "gave the accepted answer to your question",
                HelpKind.Answer => "answered your question",
                HelpKind.Reply => "replied to your post",
                HelpKind.Recommendation => "recommended you",
                HelpKind.Quote => "quoted your post",
                _ => null,
            };
            if (text is not null)
            {
                deeds.Add(new Deed($"{text} on {Day(i.OccurredAt)}", i.OccurredAt));
            }
        }

        return deeds;
    }

    /// <summary>One concrete suggestion drawn from the month's pattern, most pressing first.</summary>
    private static string Suggest(Digest d, Counts counts)
    {
        if (d.OpenQuestions.Count > 0)
        {
            var q = d.OpenQuestions.OrderBy(q => q.AskedAt).First();
            return $"Answer {q.From.Name}'s question from {d.Day(q.AskedAt)}: it has waited {Days(q.DaysWaiting)} for you.";
        }

        if (d.Owed.Count > 0)
        {
            var o = d.Owed[0];
            return $"Thank {o.Person.Name}: they {o.Deeds.FirstOrDefault()?.Text ?? "helped you"}, and have not heard back from you.";
        }

        if (d.IsEmpty)
        {
            return "Reply to one post that interests you this week: a single conversation is worth more than many shares.";
        }

        if (d.BroadcastActions > d.ConversationActions)
        {
            return $"Ask a question or reply to someone instead of sharing another link: {d.BroadcastActions} of your {d.AuthoredActions} posts this month were broadcast.";
        }

        if (counts.Recommendation == 0 && d.BestConversation is { } best)
        {
            return $"Recommend {best.With.Name} to someone who could use their help: you have talked {best.FromYou + best.FromThem} times this month.";
        }

        if (counts.Question == 0)
        {
            return "Ask the community a question this week: questions start the conversations that answers and thanks follow.";
        }

        return "Keep it up: answer one more open question in your community this week.";
    }

    private static string Days(int days) => days switch
    {
        0 => "less than a day",
        1 => "1 day",
        _ => $"{days} days",
    };
}
