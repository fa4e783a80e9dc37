using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Engage.Domain.Scoring;

/// <summary>
/// Software prefetch for the folds' loops over scattered memory (user id strings, table slots): when a loop knows
/// an address a few iterations before it reads it, asking for the cache line early lets several misses overlap
/// instead of each stalling the loop (docs/decisions/1261-community-fold-prefetch-and-one-comparison.md).
/// </summary>
/// <remarks>
/// A prefetch is only a hint: it never faults, changes no result, and is skipped where the processor has no such
/// instruction (then these calls do nothing). Taking an object's address without pinning it is safe here for that
/// reason: if the collector moves the object in between, the hint fetches a line nobody reads, nothing else.
/// This is the only unsafe code of the domain (AllowUnsafeBlocks in Engage.Domain.csproj).
/// </remarks>
public static class Prefetch
{
    /// <summary>Fetches the first cache line of <paramref name="o"/> (a string's length and first characters).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Object(object? o)
    {
        if (Sse.IsSupported && o is not null)
        {
            Sse.Prefetch0((void*)Unsafe.As<object, nint>(ref o));
        }
    }

    /// <summary>Fetches the cache line of <paramref name="array"/>[<paramref name="index"/>]; an index out of range is ignored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Element<T>(T[] array, int index)
    {
        if (Sse.IsSupported && (uint)index < (uint)array.Length)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref array[index]));
        }
    }
}
