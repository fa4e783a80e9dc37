using Engage.Domain.Scoring;
using Engage.Functions.Scores;

namespace Engage.Tests.Scores;

/// <summary>The boards' and levels' orders of the incremental run (decision 1298), against a sort of the whole map.</summary>
public sealed class RankingsTests
{
    [Fact]
    public void ARankedOrder_ChangedAnEntryAtATime_IsAlwaysTheSortOfItsEntries_AndFindsARangeByBinarySearch()
    {
        var random = new Random(1298);
        var entries = new Dictionary<string, RankKey>(StringComparer.Ordinal);
        var ranked = new Ranked([]);
        for (var step = 0; step < 3_000; step++)
        {
            var id = $"x:u{random.Next(400)}";
            if (random.Next(5) == 0)
            {
                entries.Remove(id);
                ranked.Set(id, null);
            }
            else
            {
                // Few distinct values, infinities among them: ties on A and on B are broken by the next key.
                double Value() => random.Next(12) switch { 0 => double.NegativeInfinity, 1 => double.PositiveInfinity, var v => v / 3 };
                var key = new RankKey(Value(), Value(), id);
                entries[id] = key;
                ranked.Set(id, key);
            }

            if (step % 100 != 0)
            {
                continue;
            }

            var sorted = entries.Values.OrderByDescending(k => k.A).ThenByDescending(k => k.B).ThenBy(k => k.Id, StringComparer.Ordinal).ToList();
            Assert.Equal(sorted, ranked.Top(int.MaxValue));
            Assert.Equal(sorted.Take(10), ranked.Top(10));
            var (low, high) = (random.Next(-1, 5) / 2.0, random.Next(2, 6) / 2.0);
            Assert.Equal(sorted.Where(k => k.A >= low && k.A <= high), ranked.Between(low, high));
            Assert.Equal(sorted.Where(k => double.IsPositiveInfinity(k.A)), ranked.Between(double.PositiveInfinity, double.PositiveInfinity));
            Assert.Equal(sorted, ranked.Between(double.NegativeInfinity, double.PositiveInfinity));
        }
    }

    [Fact]
    public void Rankings_GiveTheBoardsAndCutoffsOfASortOfEveryFigure_AsFiguresChange_AndLeaveTeamPeopleOutOfTheCutoffs()
    {
        var random = new Random(7);
        var epoch = 40.0;
        var board = new Dictionary<string, Figures>(StringComparer.Ordinal);
        var roles = new Dictionary<string, string>(StringComparer.Ordinal) { ["team1"] = "team" };
        Figures Random() => new("h", random.Next(4) == 0 ? double.NegativeInfinity : epoch + random.NextDouble() * 8, random.Next(6) != 0, null,
            random.Next(3) == 0 ? null : random.Next(5) / 4.0, epoch + random.Next(3), epoch + random.Next(3));
        string Id(int n) => n == 0 ? "team1" : $"x:u{n}";
        for (var n = 0; n < 300; n++)
        {
            board[Id(n)] = Random();
        }

        var rankings = new Rankings(board, board, roles);
        Assert.True(rankings.Fits(board, board, new Dictionary<string, string>(roles)));
        Assert.False(rankings.Fits(board, board, new Dictionary<string, string>(StringComparer.Ordinal) { ["team1"] = "bot" }));
        for (var run = 0; run < 20; run++)
        {
            var changed = Enumerable.Range(0, 15).Select(_ => Id(random.Next(320))).Distinct().ToList();
            foreach (var id in changed)
            {
                if (random.Next(6) == 0)
                {
                    board.Remove(id);
                }
                else
                {
                    board[id] = Random();
                }
            }

            rankings.Update(changed, changed);

            var expected = Levels.From(board.Where(e => e.Value.Active && e.Key != "team1").Select(e => e.Value.Score(epoch)));
            Assert.Equal(expected, rankings.LevelsAt(epoch));
            Assert.Equal(
                board.Where(e => e.Value.Active).OrderByDescending(e => e.Value.Score(epoch)).ThenBy(e => e.Key, StringComparer.Ordinal).Take(50).Select(e => e.Key),
                rankings.Engagement.Top(50).Select(k => k.Id));
            Assert.Equal(
                board.Where(e => e.Value.Index is not null).OrderByDescending(e => e.Value.Index).ThenByDescending(e => e.Value.Tie(epoch))
                    .ThenBy(e => e.Key, StringComparer.Ordinal).Take(50).Select(e => e.Key),
                rankings.Reciprocity.Top(50).Select(k => k.Id));
            Assert.Equal(board.Count(e => e.Value.Active), rankings.Identities.Count);
        }
    }
}
