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
    /// Writes about <paramref name="edges"/> distinct directed edges (no loops) among <paramref name="users"/>
    /// users: distinct unordered pairs, each taken both ways with probability 1/3, else one way at random, so
    /// that about half the edges are mutual (r ≈ 0.5, not a round number). Lines are shuffled.
    /// </summary>
    public static void Generate(string path, int users, int edges, int seed)
    {
        var random = new Random(seed);
        var wanted = (int)(edges * 0.8) + 16;

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

        // Each pair both ways with probability 1/3, else one way: r = 2p / (1 + p) ≈ 0.5, not exactly.
        var list = new long[edges + 1];
        var e = 0;
        for (var n = 0; n < pairs.Length && e < edges; n++)
        {
            var a = (int)(pairs[n] / users);
            var b = (int)(pairs[n] % users);
            if (random.Next(3) == 0)
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
        // The file in chunks of 1 MiB, each parsed up to its last line break and the rest carried over, so no number is
        // split: the pairs are the only large allocation (reading the whole file at once added its ~200 MB to what the
        // timed load allocates and faults in, and one bench run read 1.7 s where others read 1.0 s).
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        var pairs = new long[Math.Max(16, file.Length / 12)];
        var buffer = new byte[1 << 20];
        count = 0;
        var max = 0;
        var carried = 0;
        while (true)
        {
            var read = file.Read(buffer, carried, buffer.Length - carried);
            var filled = carried + read;
            var end = read == 0 ? filled : buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
            if (end == 0 && filled == buffer.Length)
            {
                throw new InvalidDataException("A line longer than the read buffer.");
            }

            Parse(buffer.AsSpan(0, end), ref pairs, ref count, ref max);
            if (read == 0)
            {
                break;
            }

            carried = filled - end;
            buffer.AsSpan(end, carried).CopyTo(buffer);
        }

        users = count == 0 ? 0 : max + 1;
        return pairs;
    }

    /// <summary>Whole lines of "digits, separator, digits": a loop with no state machine.</summary>
    private static void Parse(ReadOnlySpan<byte> bytes, ref long[] pairs, ref int count, ref int max)
    {
        var p = 0;
        var n = bytes.Length;
        while (true)
        {
            while (p < n && (uint)(bytes[p] - '0') > 9)
            {
                p++;
            }

            if (p == n)
            {
                return;
            }

            var from = 0;
            uint digit;
            while (p < n && (digit = (uint)(bytes[p] - '0')) <= 9)
            {
                from = (from * 10) + (int)digit;
                p++;
            }

            while (p < n && (uint)(bytes[p] - '0') > 9)
            {
                p++;
            }

            if (p == n)
            {
                return;
            }

            var to = 0;
            while (p < n && (digit = (uint)(bytes[p] - '0')) <= 9)
            {
                to = (to * 10) + (int)digit;
                p++;
            }

            if (count == pairs.Length)
            {
                Array.Resize(ref pairs, pairs.Length * 2);
            }

            pairs[count++] = DirectedPairs.Pack(from, to);
            max = Math.Max(max, Math.Max(from, to));
        }
    }

    /// <summary>Engage's r over packed pairs (the pairs are turned into keys in place).</summary>
    public static PairCounts Reciprocity(Span<long> packed, int users)
    {
        var bits = DirectedPairs.BitsFor(users);
        DirectedPairs.PackedToKeys(packed, bits);
        return DirectedPairs.Count(packed, bits);
    }
}
