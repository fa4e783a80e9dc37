using System.Buffers;
using System.Numerics;

namespace Engage.Domain.Scoring;

/// <summary>Distinct directed pairs among users, and how many of them have their reverse too.</summary>
public readonly record struct PairCounts(long Distinct, long Reciprocated)
{
    /// <summary>Edge reciprocity r: the share of distinct pairs whose reverse is also a pair; null without pairs.</summary>
    public double? R => Distinct == 0 ? null : (double)Reciprocated / Distinct;
}

/// <summary>
/// Counts the reciprocity of directed pairs between interned users (ids 0…n−1) without sets: each pair
/// (a, b) becomes one long, the unordered pair {min, max} in the high bits and the direction in the lowest,
/// the longs are radix-sorted, and one pass over the sorted run finds duplicates (equal neighbours) and
/// reciprocated pairs (both directions of one unordered pair). Self-pairs are left out, as a graph's loops.
/// </summary>
public static class DirectedPairs
{
    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;

    /// <summary>Bits that hold every id below <paramref name="users"/> (at least 1).</summary>
    public static int BitsFor(long users) => Math.Max(1, 64 - BitOperations.LeadingZeroCount((ulong)Math.Max(users - 1, 1)));

    /// <summary>The sort key of the directed pair <paramref name="from"/> → <paramref name="to"/>, with <paramref name="bits"/> from <see cref="BitsFor"/>.</summary>
    public static long Key(int from, int to, int bits) =>
        from <= to ? (((long)from << bits) | (uint)to) << 1 : ((((long)to << bits) | (uint)from) << 1) | 1;

    /// <summary>A pair packed as from &lt;&lt; 32 | to, the form the folds collect before they know how many users there are.</summary>
    public static long Pack(int from, int to) => ((long)from << 32) | (uint)to;

    /// <summary>Turns packed pairs (<see cref="Pack"/>) into keys (<see cref="Key"/>) in place.</summary>
    public static void PackedToKeys(Span<long> pairs, int bits)
    {
        for (var n = 0; n < pairs.Length; n++)
        {
            var p = pairs[n];
            pairs[n] = Key((int)(p >> 32), (int)(uint)p, bits);
        }
    }

    /// <summary>Sorts <paramref name="keys"/> (from <see cref="Key"/>) in place and counts distinct and reciprocated pairs.</summary>
    public static PairCounts Count(Span<long> keys, int bits)
    {
        Sort(keys, (2 * bits) + 1);
        long distinct = 0, reciprocated = 0;
        var mask = (1L << bits) - 1;
        var n = 0;
        while (n < keys.Length)
        {
            var pair = keys[n] >> 1;
            var directions = 0;
            while (n < keys.Length && keys[n] >> 1 == pair)
            {
                directions |= 1 << (int)(keys[n] & 1);
                n++;
            }

            if ((pair & mask) == pair >> bits)
            {
                continue; // a self-pair
            }

            if (directions == 3)
            {
                distinct += 2;
                reciprocated += 2;
            }
            else
            {
                distinct++;
            }
        }

        return new PairCounts(distinct, reciprocated);
    }

    /// <summary>LSD radix sort on the low <paramref name="keyBits"/> bits (keys are non-negative), 11 bits a pass; small runs use the library sort.</summary>
    public static void Sort(Span<long> keys, int keyBits)
    {
        if (keys.Length < 512)
        {
            keys.Sort();
            return;
        }

        var passes = (keyBits + DigitBits - 1) / DigitBits;
        var counts = ArrayPool<int>.Shared.Rent(passes * Buckets);
        var scratchArray = ArrayPool<long>.Shared.Rent(keys.Length);
        try
        {
            Array.Clear(counts, 0, passes * Buckets);
            foreach (var k in keys)
            {
                for (var p = 0; p < passes; p++)
                {
                    counts[(p * Buckets) + (int)((k >> (p * DigitBits)) & (Buckets - 1))]++;
                }
            }

            var source = keys;
            var target = scratchArray.AsSpan(0, keys.Length);
            for (var p = 0; p < passes; p++)
            {
                var count = counts.AsSpan(p * Buckets, Buckets);
                if (count.Contains(keys.Length))
                {
                    continue; // every key has the same digit here
                }

                var offset = 0;
                for (var b = 0; b < Buckets; b++)
                {
                    var c = count[b];
                    count[b] = offset;
                    offset += c;
                }

                var shift = p * DigitBits;
                foreach (var k in source)
                {
                    target[count[(int)((k >> shift) & (Buckets - 1))]++] = k;
                }

                var swap = source;
                source = target;
                target = swap;
            }

            if (source != keys)
            {
                source.CopyTo(keys);
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(scratchArray);
            ArrayPool<int>.Shared.Return(counts);
        }
    }
}
