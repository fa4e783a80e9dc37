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

    /// <summary>
    /// Sorts non-negative keys of <paramref name="keyBits"/> bits in place. Short keys: LSD radix, 11 bits a
    /// pass. Longer keys: one MSD pass on the top 11 bits, then each bucket (small enough to stay in cache)
    /// LSD-sorted on the rest, 8 bits a pass; tiny runs use the library sort. Passes whose digit is the same
    /// for every key are skipped.
    /// </summary>
    public static void Sort(Span<long> keys, int keyBits)
    {
        if (keys.Length < SmallRun)
        {
            keys.Sort();
            return;
        }

        var scratchArray = ArrayPool<long>.Shared.Rent(keys.Length);
        var countsArray = ArrayPool<int>.Shared.Rent(2 * Buckets); // the MSD starts (Buckets + 1), two 11-bit or up to seven 8-bit LSD passes
        try
        {
            var scratch = scratchArray.AsSpan(0, keys.Length);
            if (keyBits <= 2 * DigitBits)
            {
                if (Lsd(keys, scratch, 0, keyBits, DigitBits, countsArray))
                {
                    scratch.CopyTo(keys);
                }

                return;
            }

            // MSD: bucket by the top digit into scratch.
            var shift = keyBits - DigitBits;
            var starts = countsArray.AsSpan(0, Buckets + 1);
            starts.Clear();
            foreach (var k in keys)
            {
                starts[(int)(k >> shift) + 1]++;
            }

            for (var b = 1; b <= Buckets; b++)
            {
                starts[b] += starts[b - 1];
            }

            var next = ArrayPool<int>.Shared.Rent(Buckets);
            try
            {
                starts[..Buckets].CopyTo(next);
                foreach (var k in keys)
                {
                    scratch[next[(int)(k >> shift)]++] = k;
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(next);
            }

            var bounds = starts.ToArray();
            for (var b = 0; b < Buckets; b++)
            {
                var from = bounds[b];
                var length = bounds[b + 1] - from;
                if (length == 0)
                {
                    continue;
                }

                var bucket = scratch.Slice(from, length);
                var home = keys.Slice(from, length);
                if (length < SmallRun)
                {
                    bucket.Sort();
                    bucket.CopyTo(home);
                }
                else if (!Lsd(bucket, home, 0, shift, 8, countsArray))
                {
                    bucket.CopyTo(home);
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(countsArray);
            ArrayPool<long>.Shared.Return(scratchArray);
        }
    }

    private const int SmallRun = 256;

    /// <summary>LSD radix sort of <paramref name="keys"/> on bits [<paramref name="low"/>, <paramref name="low"/> + <paramref name="bits"/>); true when the result ended in <paramref name="temp"/>.</summary>
    private static bool Lsd(Span<long> keys, Span<long> temp, int low, int bits, int digitBits, int[] countsArray)
    {
        var buckets = 1 << digitBits;
        var mask = buckets - 1;
        var passes = (bits + digitBits - 1) / digitBits;
        var counts = countsArray.AsSpan(0, passes * buckets);
        counts.Clear();
        foreach (var k in keys)
        {
            for (var p = 0; p < passes; p++)
            {
                counts[(p * buckets) + (int)((k >> (low + (p * digitBits))) & mask)]++;
            }
        }

        var source = keys;
        var target = temp;
        var inTemp = false;
        for (var p = 0; p < passes; p++)
        {
            var count = counts.Slice(p * buckets, buckets);
            if (count.Contains(keys.Length))
            {
                continue; // every key has the same digit here
            }

            var offset = 0;
            for (var b = 0; b < buckets; b++)
            {
                var c = count[b];
                count[b] = offset;
                offset += c;
            }

            var shift = low + (p * digitBits);
            foreach (var k in source)
            {
                target[count[(int)((k >> shift) & mask)]++] = k;
            }

            var swap = source;
            source = target;
            target = swap;
            inTemp = !inTemp;
        }

        return inTemp;
    }
}
