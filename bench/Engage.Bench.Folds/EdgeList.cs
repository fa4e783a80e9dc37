using System.Buffers.Text;
using Engage.Domain.Scoring;

namespace Engage.Bench.Folds;

/// <summary>
/// A directed edge list as text, "from to" a line with 0-based integer ids, the format igraph's
/// <c>Read_Edgelist</c> and networkx's <c>read_edgelist</c> read: generated once with a fixed seed, and read
/// back into packed pairs (<see cref="DirectedPairs.Pack"/>) for Engage's r.
/// </summary>
public static class EdgeList
{
    /// <summary>
    /// Writes <paramref name="edges"/> distinct directed edges (no loops) among <paramref name="users"/> users:
    /// a quarter of them as unordered pairs taken both ways, half one way, so that r is 0.5 (±the few
    /// unordered pairs drawn twice, which are dropped). Lines are shuffled.
    /// </summary>
    public static void Generate(string path, int users, int edges, int seed)
    {
        var random = new Random(seed);
        var mutual = edges / 4;
        var oneWay = edges - (2 * mutual);
        var wanted = mutual + oneWay;

        // Unordered pairs min * users + max, drawn with a margin, sorted and deduplicated, then shuffled.
        var candidates = new long[wanted + (wanted / 50) + 16];
        for (var n = 0; n < candidates.Length; n++)
        {
            var a = random.Next(users);
            var b = random.Next(users - 1);
            b += b >= a ? 1 : 0;
            candidates[n] = ((long)Math.Min(a, b) * users) + Math.Max(a, b);
        }

        Array.Sort(candidates);
        var distinct = 0;
        for (var n = 0; n < candidates.Length; n++)
        {
            if (n == 0 || candidates[n] != candidates[n - 1])
            {
                candidates[distinct++] = candidates[n];
            }
        }

        var pairs = candidates.AsSpan(0, distinct);
        random.Shuffle(pairs);
        pairs = pairs[..Math.Min(wanted, distinct)];

        var list = new long[(2 * Math.Min(mutual, pairs.Length)) + Math.Max(0, pairs.Length - mutual)];
        var e = 0;
        for (var n = 0; n < pairs.Length; n++)
        {
            var a = (int)(pairs[n] / users);
            var b = (int)(pairs[n] % users);
            if (n < mutual)
            {
                list[e++] = DirectedPairs.Pack(a, b);
                list[e++] = DirectedPairs.Pack(b, a);
            }
            else
            {
                list[e++] = random.Next(2) == 0 ? DirectedPairs.Pack(a, b) : DirectedPairs.Pack(b, a);
            }
        }

        random.Shuffle(list.AsSpan(0, e));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var buffer = new byte[1 << 20];
            var used = 0;
            for (var n = 0; n < e; n++)
            {
                if (buffer.Length - used < 32)
                {
                    file.Write(buffer, 0, used);
                    used = 0;
                }

                Utf8Formatter.TryFormat((int)(list[n] >> 32), buffer.AsSpan(used), out var w1);
                used += w1;
                buffer[used++] = (byte)' ';
                Utf8Formatter.TryFormat((int)(uint)list[n], buffer.AsSpan(used), out var w2);
                used += w2;
                buffer[used++] = (byte)'\n';
            }

            file.Write(buffer, 0, used);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads the edges as packed pairs; <paramref name="users"/> is the largest id + 1 (as igraph counts vertices).</summary>
    public static long[] Read(string path, out int count, out int users)
    {
        var pairs = new long[Math.Max(1024, (int)Math.Min(int.MaxValue / 2, new FileInfo(path).Length / 8))];
        count = 0;
        var max = -1;
        var buffer = new byte[1 << 20];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        int number = 0, first = 0, fields = 0;
        var inNumber = false;
        int read;
        while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
        {
            foreach (var c in buffer.AsSpan(0, read))
            {
                var digit = c - (byte)'0';
                if ((uint)digit <= 9)
                {
                    number = (number * 10) + digit;
                    inNumber = true;
                    continue;
                }

                if (inNumber)
                {
                    inNumber = false;
                    if (fields == 0)
                    {
                        first = number;
                        fields = 1;
                    }
                    else
                    {
                        Add(ref pairs, ref count, first, number, ref max);
                        fields = 0;
                    }

                    number = 0;
                }
            }
        }

        if (inNumber && fields == 1)
        {
            Add(ref pairs, ref count, first, number, ref max);
        }

        users = max + 1;
        return pairs;
    }

    private static void Add(ref long[] pairs, ref int count, int from, int to, ref int max)
    {
        if (count == pairs.Length)
        {
            Array.Resize(ref pairs, pairs.Length * 2);
        }

        pairs[count++] = DirectedPairs.Pack(from, to);
        max = Math.Max(max, Math.Max(from, to));
    }

    /// <summary>Engage's r over packed pairs (the pairs are turned into keys in place).</summary>
    public static PairCounts Reciprocity(Span<long> packed, int users)
    {
        var bits = DirectedPairs.BitsFor(users);
        DirectedPairs.PackedToKeys(packed, bits);
        return DirectedPairs.Count(packed, bits);
    }
}
