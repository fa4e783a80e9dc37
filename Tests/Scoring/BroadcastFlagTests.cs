using Engage.Domain.Facts;
using Engage.Domain.Interactions;
using Engage.Domain.Scoring;
using Sig = Engage.Domain.Signals.SignalSet;

namespace Engage.Tests.Scoring;

/// <summary><see cref="BroadcastFlag.Of"/> answers what <see cref="Points.Of"/> answers, for every kind, signal set and shape.</summary>
public sealed class BroadcastFlagTests
{
    [Fact]
    public void Of_EveryCombination_EqualsPointsOfBroadcast()
    {
        // The default table, one where the broadcast rows outweigh the rest, and one with ties everywhere.
        var tables = new[]
        {
            new ScoringOptions(),
            new ScoringOptions { Repost = 20, LinkOnlyQuote = 20, LinkOnlyPost = 20, LowContentReply = 20, Post = 20 },
            new ScoringOptions
            {
                AcceptedAnswer = 1, Answer = 1, Reply = 1, Question = 1, Thanks = 1, Recommendation = 1, Quote = 1, MentionPost = 1,
                Post = 1, LinkOnlyQuote = 1, Repost = 1, LinkOnlyPost = 1, LowContentReply = 1,
            },
        };
        var checkedCases = 0;
        foreach (var o in tables)
        {
            foreach (var kind in Enum.GetValues<InteractionKind>())
            {
                for (var signals = 0; signals < 128; signals++)
                {
                    foreach (var accepted in new[] { false, true })
                    {
                        foreach (var parentAuthor in new[] { null, "u:me", "u:other" })
                        {
                            foreach (IReadOnlyList<string> mentions in new[] { [], new[] { "u:me" }, new[] { "u:other" }, new[] { "u:me", "u:third" } })
                            {
                                var i = new Resolved
                                {
                                    Id = "i:1", Kind = kind, Actor = "u:me", OccurredAt = DateTimeOffset.UnixEpoch,
                                    ParentId = parentAuthor is null ? null : "i:0", ParentAuthor = parentAuthor,
                                    SubjectAuthor = kind is InteractionKind.Post or InteractionKind.Reply ? null : "u:other",
                                    Mentions = mentions, Signals = (Sig)signals, Accepted = accepted,
                                };
                                Assert.True(Points.Of(i, o).Broadcast == BroadcastFlag.Of(i, o), $"{kind} {(Sig)signals} accepted={accepted} parent={parentAuthor} mentions={string.Join(',', mentions)}");
                                checkedCases++;
                            }
                        }
                    }
                }
            }
        }

        Assert.Equal(3 * 6 * 128 * 2 * 3 * 4, checkedCases);
    }
}
