using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engage.Domain.Scoring;

/// <summary>
/// Interns user ids (ordinal strings) as dense ints 0, 1, 2… in order of first appearance, so that the folds
/// keep their per-user sums in arrays and their pairs as longs instead of string-keyed dictionaries and
/// tuple sets. First-appearance order is what the string dictionaries enumerated in, which keeps every
/// order-dependent sum of the folds identical (docs/decisions/1101-interned-folds.md).
/// </summary>
/// <remarks>
/// An open-addressing table of longs (a 32-bit hash beside id + 1, 0 = empty, linear probing, at most half
/// full) instead of a <see cref="Dictionary{TKey, TValue}"/>: a lookup reads one slot, then the one string
/// whose hash matches, where the dictionary reads a bucket, then an entry, then the string; it was most of
/// the community fold's time (docs/decisions/1221-community-fold-tables.md). Strings are still compared in
/// full on a hash match, so a collision costs time, never a wrong id. The hash is seeded per process, so
/// which ids collide cannot be chosen from outside. Its arrays come from the shared pool and go back on
/// <see cref="Dispose"/> (a fold over a million interactions would otherwise put megabytes on the large-object
/// heap every call); a table that is not disposed simply leaves them to the collector.
/// </remarks>
public sealed class IdTable : IDisposable
{
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

    private long[] _slots;
    private string[] _names;
    private int _mask;
    private int _count;

    /// <param name="capacity">How many ids to expect; the table grows past it.</param>
    public IdTable(int capacity = 0)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity * 2, 16, 1 << 30));
        _slots = RentSlots(size);
        _mask = size - 1;
        _names = ArrayPool<string>.Shared.Rent(Math.Max(8, capacity));
    }

    /// <summary>Gives the arrays back to the pool; the table must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_slots.Length == 0)
        {
            return;
        }

        ArrayPool<long>.Shared.Return(_slots);
        _names.AsSpan(0, _count).Clear();
        ArrayPool<string>.Shared.Return(_names);
        _slots = [];
        _names = [];
        _count = 0;
        _mask = 0;
    }

    /// <summary>
    /// Asks the processor to fetch the slot a name of this hash (<see cref="HashOf"/>) probes first, without waiting:
    /// a loop that knows the hashes of the names it will intern a few iterations ahead calls this so that those
    /// probes, scattered over a table of megabytes, overlap instead of each waiting for memory in turn.
    /// </summary>
    public void Prefetch(uint hash) => Scoring.Prefetch.Element(_slots, (int)hash & _mask);

    /// <summary>How many distinct ids were interned.</summary>
    public int Count => _count;

    /// <summary>The id of <paramref name="name"/>, the next free one when it is new (one probe sequence either way).</summary>
    public int Intern(string name) => Intern(name, HashOf(name));

    /// <summary>
    /// <see cref="Intern(string)"/> with the hash already taken (<see cref="HashOf"/>): a fold that hashes a batch
    /// of names in one tight loop lets the processor fetch several of those scattered strings at once.
    /// </summary>
    public int Intern(string name, uint hash)
    {
        var slot = (int)hash & _mask;
        while (true)
        {
            var s = _slots[slot];
            if (s == 0)
            {
                break;
            }

            if ((uint)(s >>> 32) == hash)
            {
                var id = (int)s - 1;
                if (string.Equals(_names[id], name))
                {
                    return id;
                }
            }

            slot = (slot + 1) & _mask;
        }

        var added = _count;
        if (added == _names.Length)
        {
            var names = ArrayPool<string>.Shared.Rent(added * 2);
            _names.AsSpan(0, added).CopyTo(names);
            _names.AsSpan(0, added).Clear();
            ArrayPool<string>.Shared.Return(_names);
            _names = names;
        }

        _names[added] = name;
        _count = added + 1;
        _slots[slot] = ((long)hash << 32) | (uint)(added + 1);
        if (_count * 2 > _mask + 1)
        {
            Grow();
        }

        return added;
    }

    /// <summary>The id of <paramref name="name"/> if it was interned (never adds).</summary>
    public bool TryGet(string name, out int id) => TryGet(name, HashOf(name), out id);

    /// <summary><see cref="TryGet(string, out int)"/> with the hash already taken (<see cref="HashOf"/>).</summary>
    public bool TryGet(string name, uint hash, out int id)
    {
        var slot = (int)hash & _mask;
        while (true)
        {
            var s = _slots[slot];
            if (s == 0)
            {
                id = -1;
                return false;
            }

            if ((uint)(s >>> 32) == hash && string.Equals(_names[(int)s - 1], name))
            {
                id = (int)s - 1;
                return true;
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>
    /// False when no interned name has this hash (<see cref="HashOf"/>), so the name itself need not be read;
    /// true means "maybe": <see cref="TryGet(string, uint, out int)"/> decides.
    /// </summary>
    public bool MayContain(uint hash)
    {
        var slot = (int)hash & _mask;
        while (true)
        {
            var s = _slots[slot];
            if (s == 0)
            {
                return false;
            }

            if ((uint)(s >>> 32) == hash)
            {
                return true;
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>The string an id stands for.</summary>
    public string NameOf(int id) => (uint)id < (uint)_count ? _names[id] : throw new ArgumentOutOfRangeException(nameof(id));

    /// <summary>Doubles the slots; the stored hashes place every id again without reading its string.</summary>
    private void Grow()
    {
        var size = (_mask + 1) * 2;
        var slots = RentSlots(size);
        var mask = size - 1;
        foreach (var s in _slots.AsSpan(0, _mask + 1))
        {
            if (s == 0)
            {
                continue;
            }

            var slot = (int)(uint)(s >>> 32) & mask;
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            slots[slot] = s;
        }

        ArrayPool<long>.Shared.Return(_slots);
        _slots = slots;
        _mask = mask;
    }

    /// <summary>A pooled array of at least <paramref name="size"/> slots, the first <paramref name="size"/> empty (the pool does not clear).</summary>
    private static long[] RentSlots(int size)
    {
        var slots = ArrayPool<long>.Shared.Rent(size);
        slots.AsSpan(0, size).Clear();
        return slots;
    }

    /// <summary>A seeded multiply-rotate hash of the string's UTF-16 code units, four at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint HashOf(string name)
    {
        var chars = name.AsSpan();
        var words = MemoryMarshal.Cast<char, ulong>(chars);
        var h = Seed ^ (ulong)chars.Length;
        foreach (var w in words)
        {
            h = BitOperations.RotateLeft((h ^ w) * 0x9E3779B97F4A7C15UL, 29);
        }

        ulong tail = 0;
        for (var k = words.Length * 4; k < chars.Length; k++)
        {
            tail = (tail << 16) | chars[k];
        }

        h = (h ^ tail) * 0xD6E8FEB86659FD93UL;
        return (uint)(h ^ (h >>> 32));
    }
}
