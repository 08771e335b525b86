using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Onboarding.Engine.Bitmaps.Internal;

/// <summary>A word-wise binary operation, specialised by the JIT for each struct implementation.</summary>
internal interface IWordOp
{
    static abstract ulong Apply(ulong a, ulong b);

    static abstract Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b);

    static abstract Vector512<ulong> Apply(Vector512<ulong> a, Vector512<ulong> b);
}

internal readonly struct AndOp : IWordOp
{
    public static ulong Apply(ulong a, ulong b) => a & b;

    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a & b;

    public static Vector512<ulong> Apply(Vector512<ulong> a, Vector512<ulong> b) => a & b;
}

internal readonly struct OrOp : IWordOp
{
    public static ulong Apply(ulong a, ulong b) => a | b;

    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a | b;

    public static Vector512<ulong> Apply(Vector512<ulong> a, Vector512<ulong> b) => a | b;
}

internal readonly struct XorOp : IWordOp
{
    public static ulong Apply(ulong a, ulong b) => a ^ b;

    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a ^ b;

    public static Vector512<ulong> Apply(Vector512<ulong> a, Vector512<ulong> b) => a ^ b;
}

internal readonly struct AndNotOp : IWordOp
{
    public static ulong Apply(ulong a, ulong b) => a & ~b;

    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Vector256.AndNot(a, b);

    public static Vector512<ulong> Apply(Vector512<ulong> a, Vector512<ulong> b) => Vector512.AndNot(a, b);
}

/// <summary>Kernels over 65536-bit bitsets (1024 little-endian words), vectorised where the hardware allows.</summary>
internal static class BitsetOps
{
    public const int Words = 1024;

    /// <summary>
    /// A bitset's words left unzeroed, for a result that writes every word (<see cref="ApplyCount{TOp}"/>): the 8 KiB
    /// would otherwise be written twice.
    /// </summary>
    public static ulong[] UninitializedWords() => GC.AllocateUninitializedArray<ulong>(Words);

    /// <summary>dst = a OP b (dst may alias a or b); returns the popcount of the result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ApplyCount<TOp>(ulong[] a, ulong[] b, ulong[] dst)
        where TOp : struct, IWordOp
    {
        ArgumentNullException.ThrowIfNull(dst);
        return ApplyCountCore<TOp>(a, b, dst);
    }

    /// <summary>Popcount of a OP b, without storing the result.</summary>
    public static int Count<TOp>(ulong[] a, ulong[] b)
        where TOp : struct, IWordOp => ApplyCountCore<TOp>(a, b, null);

    public static int Count(ulong[] words) => ApplyCountCore<OrOp>(words, words, null);

    /// <summary>
    /// a OP b, stored into dst unless it is null, with the popcount computed in vector registers (nibble lookup
    /// with a byte shuffle, summed by SAD: no vector popcount instruction is exposed to .NET).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ApplyCountCore<TOp>(ulong[] a, ulong[] b, ulong[]? dst)
        where TOp : struct, IWordOp
    {
        _ = a.Length == Words && b.Length == Words && (dst is null || dst.Length == Words) ? 0 : throw new ArgumentException("bitset length");
        ref ulong ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref ulong rb = ref MemoryMarshal.GetArrayDataReference(b);
        ref ulong rd = ref dst is null ? ref Unsafe.NullRef<ulong>() : ref MemoryMarshal.GetArrayDataReference(dst);
        bool store = dst is not null;
        if (Vector512.IsHardwareAccelerated && Avx512BW.IsSupported)
        {
            Vector512<byte> lut = Vector512.Create(NibbleCounts);
            Vector512<byte> lowNibbles = Vector512.Create((byte)0x0F);
            Vector512<ulong> total = Vector512<ulong>.Zero;
            for (nuint block = 0; block < Words; block += 8 * 16)
            {
                // 16 iterations add at most 16 * 8 = 128 per byte: no overflow.
                Vector512<byte> counts = Vector512<byte>.Zero;
                for (nuint i = block; i < block + (8 * 16); i += 8)
                {
                    Vector512<ulong> v = TOp.Apply(Vector512.LoadUnsafe(ref ra, i), Vector512.LoadUnsafe(ref rb, i));
                    if (store)
                    {
                        v.StoreUnsafe(ref rd, i);
                    }

                    Vector512<byte> bytes = v.AsByte();
                    counts += Avx512BW.Shuffle(lut, bytes & lowNibbles)
                        + Avx512BW.Shuffle(lut, Vector512.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & lowNibbles);
                }

                total += Avx512BW.SumAbsoluteDifferences(counts, Vector512<byte>.Zero).AsUInt64();
            }

            return (int)Vector512.Sum(total);
        }

        if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
        {
            Vector256<byte> lut = Vector256.Create(NibbleCounts[..32]);
            Vector256<byte> lowNibbles = Vector256.Create((byte)0x0F);
            Vector256<ulong> total = Vector256<ulong>.Zero;
            for (nuint block = 0; block < Words; block += 4 * 16)
            {
                Vector256<byte> counts = Vector256<byte>.Zero;
                for (nuint i = block; i < block + (4 * 16); i += 4)
                {
                    Vector256<ulong> v = TOp.Apply(Vector256.LoadUnsafe(ref ra, i), Vector256.LoadUnsafe(ref rb, i));
                    if (store)
                    {
                        v.StoreUnsafe(ref rd, i);
                    }

                    counts += Avx2.Shuffle(lut, v.AsByte() & lowNibbles)
                        + Avx2.Shuffle(lut, Vector256.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & lowNibbles);
                }

                total += Avx2.SumAbsoluteDifferences(counts, Vector256<byte>.Zero).AsUInt64();
            }

            return (int)Vector256.Sum(total);
        }

        int count = 0;
        for (nuint i = 0; i < Words; i++)
        {
            ulong w = TOp.Apply(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i));
            if (store)
            {
                Unsafe.Add(ref rd, i) = w;
            }

            count += BitOperations.PopCount(w);
        }

        return count;
    }

    /// <summary>Popcounts of the 16 nibble values, repeated for each 128-bit lane.</summary>
    private static ReadOnlySpan<byte> NibbleCounts =>
    [
        0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
        0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
    ];

    /// <summary>dst = a OP b without counting (lazy form used by wide unions).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(ulong[] a, ulong[] b, ulong[] dst)
        where TOp : struct, IWordOp
    {
        ref ulong ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref ulong rb = ref MemoryMarshal.GetArrayDataReference(b);
        ref ulong rd = ref MemoryMarshal.GetArrayDataReference(dst);
        _ = a.Length == Words && b.Length == Words && dst.Length == Words ? 0 : throw new ArgumentException("bitset length");
        if (Vector512.IsHardwareAccelerated)
        {
            for (nuint i = 0; i < Words; i += 8)
            {
                TOp.Apply(Vector512.LoadUnsafe(ref ra, i), Vector512.LoadUnsafe(ref rb, i)).StoreUnsafe(ref rd, i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (nuint i = 0; i < Words; i += 4)
            {
                TOp.Apply(Vector256.LoadUnsafe(ref ra, i), Vector256.LoadUnsafe(ref rb, i)).StoreUnsafe(ref rd, i);
            }
        }
        else
        {
            for (nuint i = 0; i < Words; i++)
            {
                Unsafe.Add(ref rd, i) = TOp.Apply(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i));
            }
        }
    }

    /// <summary>Sets the bits of (start, length-1) run pairs, without counting.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SetRuns(ulong[] words, ReadOnlySpan<ushort> runs)
    {
        _ = words.Length == Words ? 0 : throw new ArgumentException("bitset length");
        ref ulong w = ref MemoryMarshal.GetArrayDataReference(words);
        for (int k = 0; k + 1 < runs.Length; k += 2)
        {
            int start = runs[k], end = start + runs[k + 1]; // inclusive, <= 65535
            int first = start >> 6, last = end >> 6;
            ulong firstMask = ulong.MaxValue << start, lastMask = ulong.MaxValue >> (63 - (end & 63));
            if (first == last)
            {
                Unsafe.Add(ref w, first) |= firstMask & lastMask;
                continue;
            }

            Unsafe.Add(ref w, first) |= firstMask;
            Unsafe.Add(ref w, last) |= lastMask;
            if (last - first > 16)
            {
                words.AsSpan(first + 1, last - first - 1).Fill(ulong.MaxValue);
            }
            else
            {
                for (int i = first + 1; i < last; i++)
                {
                    Unsafe.Add(ref w, i) = ulong.MaxValue;
                }
            }
        }
    }

    /// <summary>Sets the bits of values (no count), four at a time and without bounds checks (a ushort's word is &lt; 1024).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SetAll(ulong[] words, ReadOnlySpan<ushort> values)
    {
        _ = words.Length == Words ? 0 : throw new ArgumentException("bitset length");
        ref ulong w = ref MemoryMarshal.GetArrayDataReference(words);
        ref ushort v = ref MemoryMarshal.GetReference(values);
        nuint n = (nuint)values.Length, quarter = n / 4, i = 0;

        // Neighbouring sorted values often share a word, and a read-modify-write of the word just written waits for
        // that store. Taking the four quarters of the array in turn puts three unrelated words between them.
        ref ushort q1 = ref Unsafe.Add(ref v, quarter), q2 = ref Unsafe.Add(ref v, 2 * quarter), q3 = ref Unsafe.Add(ref v, 3 * quarter);
        for (; i < quarter; i++)
        {
            uint v0 = Unsafe.Add(ref v, i), v1 = Unsafe.Add(ref q1, i), v2 = Unsafe.Add(ref q2, i), v3 = Unsafe.Add(ref q3, i);
            Unsafe.Add(ref w, v0 >> 6) |= 1UL << (int)v0;
            Unsafe.Add(ref w, v1 >> 6) |= 1UL << (int)v1;
            Unsafe.Add(ref w, v2 >> 6) |= 1UL << (int)v2;
            Unsafe.Add(ref w, v3 >> 6) |= 1UL << (int)v3;
        }

        for (i = 4 * quarter; i < n; i++)
        {
            uint x = Unsafe.Add(ref v, i);
            Unsafe.Add(ref w, x >> 6) |= 1UL << (int)x;
        }
    }

    /// <summary>Sets the bits of values (sorted) as <see cref="SetAll"/> does; returns how many were newly set.</summary>
    public static int SetAllCounting(ulong[] words, ReadOnlySpan<ushort> values)
    {
        _ = words.Length == Words ? 0 : throw new ArgumentException("bitset length");
        ref ulong w = ref MemoryMarshal.GetArrayDataReference(words);
        ref ushort v = ref MemoryMarshal.GetReference(values);
        nuint n = (nuint)values.Length, quarter = n / 4, i = 0;
        ulong added = 0;
        ref ushort q1 = ref Unsafe.Add(ref v, quarter), q2 = ref Unsafe.Add(ref v, 2 * quarter), q3 = ref Unsafe.Add(ref v, 3 * quarter);
        for (; i < quarter; i++)
        {
            added += SetCounting(ref w, Unsafe.Add(ref v, i)) + SetCounting(ref w, Unsafe.Add(ref q1, i)) +
                     SetCounting(ref w, Unsafe.Add(ref q2, i)) + SetCounting(ref w, Unsafe.Add(ref q3, i));
        }

        for (i = 4 * quarter; i < n; i++)
        {
            added += SetCounting(ref w, Unsafe.Add(ref v, i));
        }

        return (int)added;
    }

    /// <summary>Sets bit x; 1 when it was clear.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SetCounting(ref ulong words, uint x)
    {
        ref ulong word = ref Unsafe.Add(ref words, x >> 6);
        ulong before = word;
        word = before | (1UL << (int)x);
        return ((before >> (int)x) & 1) ^ 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Get(ulong[] words, int value) => (words[value >> 6] & (1UL << value)) != 0;

    /// <summary>Sets bits [start, end); returns how many of them were newly set.</summary>
    public static int SetRange(ulong[] words, int start, int end)
    {
        int before = CountRange(words, start, end);
        SetRangeLazy(words, start, end);
        return end - start - before;
    }

    /// <summary>Sets bits [start, end) without counting.</summary>
    public static void SetRangeLazy(ulong[] words, int start, int end)
    {
        if (start >= end)
        {
            return;
        }

        (int first, int last, ulong firstMask, ulong lastMask) = Masks(start, end);
        if (first == last)
        {
            words[first] |= firstMask & lastMask;
            return;
        }

        words[first] |= firstMask;
        words.AsSpan(first + 1, last - first - 1).Fill(ulong.MaxValue);
        words[last] |= lastMask;
    }

    /// <summary>Clears bits [start, end); returns how many of them were set before.</summary>
    public static int ClearRange(ulong[] words, int start, int end)
    {
        if (start >= end)
        {
            return 0;
        }

        int before = CountRange(words, start, end);
        (int first, int last, ulong firstMask, ulong lastMask) = Masks(start, end);
        if (first == last)
        {
            words[first] &= ~(firstMask & lastMask);
        }
        else
        {
            words[first] &= ~firstMask;
            words.AsSpan(first + 1, last - first - 1).Clear();
            words[last] &= ~lastMask;
        }

        return before;
    }

    /// <summary>Number of set bits in [start, end).</summary>
    public static int CountRange(ulong[] words, int start, int end)
    {
        if (start >= end)
        {
            return 0;
        }

        (int first, int last, ulong firstMask, ulong lastMask) = Masks(start, end);
        if (first == last)
        {
            return BitOperations.PopCount(words[first] & firstMask & lastMask);
        }

        int count = BitOperations.PopCount(words[first] & firstMask) + BitOperations.PopCount(words[last] & lastMask);
        for (int i = first + 1; i < last; i++)
        {
            count += BitOperations.PopCount(words[i]);
        }

        return count;
    }

    /// <summary>First and last word of [start, end) and the masks of the bits inside the range in each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int First, int Last, ulong FirstMask, ulong LastMask) Masks(int start, int end) =>
        (start >> 6, (end - 1) >> 6, ulong.MaxValue << start, ulong.MaxValue >> (63 - ((end - 1) & 63)));

    /// <summary>Writes the set bits in ascending order; dst must hold the cardinality.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Extract(ulong[] words, Span<ushort> dst)
    {
        _ = words.Length == Words ? 0 : throw new ArgumentException("bitset length");
        ref ulong r = ref MemoryMarshal.GetArrayDataReference(words);
        ref ushort d = ref MemoryMarshal.GetReference(dst);
        int n = 0;
        for (int block = 0; block < Words; block += 8)
        {
            // Sparse bitsets: skip 8 zero words with one compare, visit only the non-zero ones.
            uint nonZero = Vector512.IsHardwareAccelerated
                ? (uint)(~Vector512.Equals(Vector512.LoadUnsafe(ref r, (nuint)block), Vector512<ulong>.Zero)).ExtractMostSignificantBits()
                : 0xFF;
            while (nonZero != 0)
            {
                int i = block + BitOperations.TrailingZeroCount(nonZero);
                nonZero &= nonZero - 1;
                ulong w = Unsafe.Add(ref r, i);
                int baseValue = i << 6;
                if (Avx512Vbmi2.IsSupported && n + 64 <= dst.Length)
                {
                    n = ExtractWord(w, baseValue, ref d, n);
                    continue;
                }

                while (w != 0)
                {
                    dst[n++] = (ushort)(baseValue + BitOperations.TrailingZeroCount(w));
                    w &= w - 1;
                }
            }
        }

        return n;
    }

    /// <summary>
    /// Writes the set bits of one word (+ baseValue) at dst[n..] and returns n + their count; writes up to 64
    /// elements whatever the count. No loop per bit: the bit-per-bit loop mispredicts its exit on every word.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ExtractWord(ulong w, int baseValue, ref ushort dst, int n)
    {
        // Byte j of the mask is set when bit j of w is: every byte lane takes byte j / 8 of w and tests bit j % 8.
        Vector512<byte> spread = Avx512BW.Shuffle(Vector512.Create(w).AsByte(), Vector512.Create(
            0UL, 0x0101010101010101UL, 0x0202020202020202UL, 0x0303030303030303UL,
            0x0404040404040404UL, 0x0505050505050505UL, 0x0606060606060606UL, 0x0707070707070707UL).AsByte());
        Vector512<byte> bitOfLane = Vector512.Create(0x8040201008040201UL).AsByte();
        Vector512<byte> set = Vector512.Equals(spread & bitOfLane, bitOfLane);
        Vector512<byte> positions = Avx512Vbmi2.Compress(Vector512<byte>.Zero, set, Vector512<byte>.Indices);
        (Vector512<ushort> lower, Vector512<ushort> upper) = Vector512.Widen(positions);
        Vector512<ushort> offset = Vector512.Create((ushort)baseValue);
        (lower + offset).StoreUnsafe(ref dst, (nuint)n);
        int count = BitOperations.PopCount(w);
        if (count > 32)
        {
            (upper + offset).StoreUnsafe(ref dst, (nuint)(n + 32));
        }

        return n + count;
    }

    /// <summary>Number of runs of consecutive set bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int NumberOfRuns(ulong[] words)
    {
        int runs = 0;
        ulong carry = 0;
        for (int i = 0; i < Words; i++)
        {
            ulong w = words[i];
            runs += BitOperations.PopCount(w & ~((w << 1) | carry));
            carry = w >> 63;
        }

        return runs;
    }

    /// <summary>Position of the index-th set bit (0-based).</summary>
    public static int Select(ulong[] words, int index)
    {
        for (int i = 0; i < Words; i++)
        {
            int c = BitOperations.PopCount(words[i]);
            if (index < c)
            {
                ulong w = words[i];
                for (int k = 0; k < index; k++)
                {
                    w &= w - 1;
                }

                return (i << 6) + BitOperations.TrailingZeroCount(w);
            }

            index -= c;
        }

        throw new ArgumentOutOfRangeException(nameof(index));
    }
}
