using Engage.Bench.Folds;
using Engage.Domain.Scoring;

namespace Engage.Tests.Bench;

/// <summary>The bench's edge-list reader, which reads in chunks of 1 MiB: every line read once, whatever the chunk boundaries.</summary>
public sealed class EdgeListTests
{
    [Fact]
    public void Read_AFileOfSeveralChunks_GivesEveryEdgeOnce_AsALineByLineParseDoes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edges-{Guid.NewGuid():N}.txt");
        try
        {
            // About 3 MiB: lines of uneven length (ids of 1 to 7 digits, space or tab), so lines straddle the chunk ends,
            // and a last line without a line break.
            EdgeList.Generate(path, users: 2_000_000, edges: 250_000, seed: 5);
            var lines = File.ReadAllLines(path);
            for (var n = 0; n < lines.Length; n += 7)
            {
                lines[n] = lines[n].Replace(' ', '\t');
            }

            File.WriteAllText(path, string.Join('\n', lines));
            Assert.True(new FileInfo(path).Length > 3 * (1 << 20) / 2, "the file spans several chunks");

            var pairs = EdgeList.Read(path, out var count, out var users);

            var expected = lines.Select(l => l.Split([' ', '\t'])).Select(p => DirectedPairs.Pack(int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))).ToArray();
            Assert.Equal(expected.Length, count);
            Assert.Equal(expected, pairs[..count]);
            var max = lines.Select(l => l.Split([' ', '\t'])).Max(p => Math.Max(int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(max + 1, users);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
