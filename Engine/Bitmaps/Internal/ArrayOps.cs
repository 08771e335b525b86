using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Onboarding.Engine.Bitmaps.Internal;

/// <summary>Set operations over sorted, duplicate-free ushort spans.</summary>
internal static class ArrayOps
{
    /// <summary>When one side is this many times larger, intersections gallop instead of merging.</summary>
    private const int GallopRatio = 32;

    /// <summary>Index of the first element &gt;= value at or after <paramref name="from"/> (exponential then binary search).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int AdvanceUntil(ReadOnlySpan<ushort> array, int from, ushort value)
    {
        int lower = from;
        if (lower >= array.Length || array[lower] >= value)
        {
            return lower;
        }

        int span = 1;
        while (lower + span < array.Length && array[lower + span] < value)
        {
            span <<= 1;
        }

        int upper = Math.Min(lower + span, array.Length - 1);
        if (array[upper] < value)
        {
            return array.Length;
        }

        lower += span >> 1;
        while (lower + 1 != upper)
        {
            int mid = (lower + upper) >>> 1;
            if (array[mid] < value)
            {
                lower = mid;
            }
            else
            {
                upper = mid;
            }
        }

        return upper;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Intersect(ReadOnlySpan<ushort> a, ReadOnlySpan<ushort> b, Span<ushort> dst)
    {
        if (a.Length > b.Length)
        {
            ReadOnlySpan<ushort> t = a;
            a = b;
            b = t;
        }

        if (a.Length == 0)
        {
            return 0;
        }

        if (a.Length * GallopRatio < b.Length)
        {
            return IntersectGalloping(a, b, dst);
        }

        ref ushort ra = ref MemoryMarshal.GetReference(a);
        ref ushort rb = ref MemoryMarshal.GetReference(b);
        ref ushort rd = ref MemoryMarshal.GetReference(dst);
        _ = dst.Length >= a.Length ? 0 : throw new ArgumentException("destination too small", nameof(dst));
        int i = 0, j = 0, n = 0, la = a.Length, lb = b.Length;
        if (Vector128.IsHardwareAccelerated)
        {
            // Blocks of 8 against 8: compare a's block with every rotation of b's block, emit a's matching lanes,
            // then advance the block(s) with the smaller maximum.
            while (i + 8 <= la && j + 8 <= lb)
            {
                uint bits = BlockMatches(Vector128.LoadUnsafe(ref ra, (nuint)i), Vector128.LoadUnsafe(ref rb, (nuint)j));
                while (bits != 0)
                {
                    Unsafe.Add(ref rd, n++) = Unsafe.Add(ref ra, i + BitOperations.TrailingZeroCount(bits));
                    bits &= bits - 1;
                }

                ushort maxA = Unsafe.Add(ref ra, i + 7), maxB = Unsafe.Add(ref rb, j + 7);
                i += maxA <= maxB ? 8 : 0;
                j += maxB <= maxA ? 8 : 0;
            }
        }

        while (i < la && j < lb)
        {
            ushort va = Unsafe.Add(ref ra, i), vb = Unsafe.Add(ref rb, j);
            Unsafe.Add(ref rd, n) = va;
            n += va == vb ? 1 : 0;
            i += va <= vb ? 1 : 0;
            j += va >= vb ? 1 : 0;
        }

        return n;
    }

    /// <summary>Bit k set when lane k of <paramref name="a"/> equals some lane of <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint BlockMatches(Vector128<ushort> a, Vector128<ushort> b)
    {
        Vector128<ushort> m = Vector128.Equals(a, b)
            | Vector128.Equals(a, Vector128.Shuffle(b, Vector128.Create((ushort)1, 2, 3, 4, 5, 6, 7, 0)))
            | Vector128.Equals(a, Vector128.Shuffle(b, Vector128.Create((ushort)2, 3, 4, 5, 6, 7, 0, 1)))
            | Vector128.Equals(a, Vector128.Shuffle(b, Vector128.Create((ushort)3, 4, 5, 6, 7, 0, 1, 2)))
            | Vector128.Equals(a, Vector128.Shuffle(b, Vector128.Create((ushort)4, 5, 6, 7, 0, 1, 2, 3)))
            | Vector128.Equals(a, Vector128.Shuffle(b, Vector128.Create((ushort)5, 6, 7, 0, 1, 2, 3, 4)))
            | Vector128.Equals(a, Vector128.Shuffle(b, Vector128.Create((ushort)6, 7, 0, 1, 2, 3, 4, 5)))
            | Vector128.Equals(a, Vector128.Shuffle(b, Vector128.Create((ushort)7, 0, 1, 2, 3, 4, 5, 6)));
        return m.ExtractMostSignificantBits();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int IntersectGalloping(ReadOnlySpan<ushort> small, ReadOnlySpan<ushort> large, Span<ushort> dst)
    {
        int n = 0, j = 0;
        foreach (ushort v in small)
        {
            j = AdvanceUntil(large, j, v);
            if (j == large.Length)
            {
                break;
            }

            if (large[j] == v)
            {
                dst[n++] = v;
            }
        }

        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int IntersectCount(ReadOnlySpan<ushort> a, ReadOnlySpan<ushort> b)
    {
        if (a.Length > b.Length)
        {
            ReadOnlySpan<ushort> t = a;
            a = b;
            b = t;
        }

        if (a.Length == 0)
        {
            return 0;
        }

        int n = 0;
        if (a.Length * GallopRatio < b.Length)
        {
            int k = 0;
            foreach (ushort v in a)
            {
                k = AdvanceUntil(b, k, v);
                if (k == b.Length)
                {
                    break;
                }

                n += b[k] == v ? 1 : 0;
            }

            return n;
        }

        ref ushort ra = ref MemoryMarshal.GetReference(a);
        ref ushort rb = ref MemoryMarshal.GetReference(b);
        int i = 0, j = 0, la = a.Length, lb = b.Length;
        if (Vector128.IsHardwareAccelerated)
        {
            while (i + 8 <= la && j + 8 <= lb)
            {
                n += BitOperations.PopCount(BlockMatches(Vector128.LoadUnsafe(ref ra, (nuint)i), Vector128.LoadUnsafe(ref rb, (nuint)j)));
                ushort maxA = Unsafe.Add(ref ra, i + 7), maxB = Unsafe.Add(ref rb, j + 7);
                i += maxA <= maxB ? 8 : 0;
                j += maxB <= maxA ? 8 : 0;
            }
        }

        while (i < la && j < lb)
        {
            ushort va = Unsafe.Add(ref ra, i), vb = Unsafe.Add(ref rb, j);
            n += va == vb ? 1 : 0;
            i += va <= vb ? 1 : 0;
            j += va >= vb ? 1 : 0;
        }

        return n;
    }

    /// <summary>Union; dst must hold a.Length + b.Length.</summary>
    /// <remarks>
    /// With AVX-512 VBMI2: blocks of 8 values are merged by a min/max network against the 8 largest values seen so
    /// far (the block comes from the side whose next value is smaller), and the 8 smallest are stored with
    /// duplicates squeezed out by a lane compress. No data-dependent branch per value. Otherwise a branchy merge
    /// (real data has long one-sided stretches that branch prediction handles better than a branchless loop).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Union(ReadOnlySpan<ushort> a, ReadOnlySpan<ushort> b, Span<ushort> dst)
    {
        _ = dst.Length >= a.Length + b.Length ? 0 : throw new ArgumentException("destination too small", nameof(dst));
        if (Avx512Vbmi2.VL.IsSupported && a.Length >= 8 && b.Length >= 8)
        {
            return UnionVector(a, b, dst);
        }

        return MergeUnique(a, b, dst, 0, -1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int UnionVector(ReadOnlySpan<ushort> a, ReadOnlySpan<ushort> b, Span<ushort> dst)
    {
        ref ushort ra = ref MemoryMarshal.GetReference(a);
        ref ushort rb = ref MemoryMarshal.GetReference(b);
        ref ushort rd = ref MemoryMarshal.GetReference(dst);
        int la = a.Length, lb = b.Length, i = 8, j = 8, n = 0;
        MergeNetwork(Vector128.LoadUnsafe(ref ra), Vector128.LoadUnsafe(ref rb), out Vector128<ushort> lo, out Vector128<ushort> hi);

        // Lane 7 of "previous" is the last value stored; the first block compares against a value unlike its first.
        Vector128<ushort> previous = Vector128.Create((ushort)~lo.ToScalar());

        // Every store writes 8 lanes at n, and n + 8 <= (values consumed) - 8 (hi is still held): inside dst.
        n = StoreUnique(lo, previous, ref rd, n);
        previous = lo;
        while (i + 8 <= la && j + 8 <= lb)
        {
            Vector128<ushort> next;
            if (Unsafe.Add(ref ra, i) <= Unsafe.Add(ref rb, j))
            {
                next = Vector128.LoadUnsafe(ref ra, (nuint)i);
                i += 8;
            }
            else
            {
                next = Vector128.LoadUnsafe(ref rb, (nuint)j);
                j += 8;
            }

            MergeNetwork(next, hi, out lo, out hi);
            n = StoreUnique(lo, previous, ref rd, n);
            previous = lo;
        }

        // Tail: hi (8 values, possibly with a duplicate pair), fewer than 8 left on one side, any number on the other.
        Span<ushort> held = stackalloc ushort[8];
        hi.CopyTo(held);
        Span<ushort> small = stackalloc ushort[16];
        ReadOnlySpan<ushort> shortTail = i + 8 > la ? a[i..] : b[j..];
        ReadOnlySpan<ushort> longTail = i + 8 > la ? b[j..] : a[i..];
        int smallCount = MergeUnique(held, shortTail, small, 0, -1);
        return MergeUnique(small[..smallCount], longTail, dst, n, previous.GetElement(7));
    }

    /// <summary>Sorts the 16 values of two sorted vectors: lo gets the 8 smallest, hi the 8 largest (both ascending).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MergeNetwork(Vector128<ushort> a, Vector128<ushort> b, out Vector128<ushort> lo, out Vector128<ushort> hi)
    {
        lo = Vector128.Min(a, b);
        hi = Vector128.Max(a, b);
        for (int round = 0; round < 7; round++)
        {
            lo = RotateLanes(lo);
            Vector128<ushort> t = Vector128.Min(lo, hi);
            hi = Vector128.Max(lo, hi);
            lo = t;
        }

        lo = RotateLanes(lo);
    }

    /// <summary>Lanes 1..7, 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> RotateLanes(Vector128<ushort> v) => Ssse3.AlignRight(v.AsByte(), v.AsByte(), 2).AsUInt16();

    /// <summary>Stores the lanes of v that differ from their predecessor (lane 0's predecessor is lane 7 of previous).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int StoreUnique(Vector128<ushort> v, Vector128<ushort> previous, ref ushort dst, int n)
    {
        Vector128<ushort> shifted = Ssse3.AlignRight(v.AsByte(), previous.AsByte(), 14).AsUInt16();
        Vector128<ushort> keep = ~Vector128.Equals(v, shifted);
        Avx512Vbmi2.VL.Compress(Vector128<ushort>.Zero, keep, v).StoreUnsafe(ref dst, (nuint)n);
        return n + BitOperations.PopCount(keep.ExtractMostSignificantBits());
    }

    /// <summary>
    /// Merges x and y (each ascending; x may hold repeats) into dst from n on, skipping any value equal to the one
    /// written just before it (<paramref name="last"/> for the first, -1 for none); returns the new n.
    /// y must be strictly ascending (its rest is block-copied).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int MergeUnique(ReadOnlySpan<ushort> x, ReadOnlySpan<ushort> y, Span<ushort> dst, int n, int last)
    {
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            ushort vx = x[i], vy = y[j];
            ushort v;
            if (vx <= vy)
            {
                v = vx;
                i++;
            }
            else
            {
                v = vy;
                j++;
            }

            if (v != last)
            {
                dst[n++] = v;
                last = v;
            }
        }

        for (; i < x.Length; i++)
        {
            if (x[i] != last)
            {
                dst[n++] = x[i];
                last = x[i];
            }
        }

        if (j < y.Length)
        {
            if (y[j] == last)
            {
                j++;
            }

            y[j..].CopyTo(dst[n..]);
            n += y.Length - j;
        }

        return n;
    }

    /// <summary>Symmetric difference; dst must hold a.Length + b.Length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Xor(ReadOnlySpan<ushort> a, ReadOnlySpan<ushort> b, Span<ushort> dst)
    {
        _ = dst.Length >= a.Length + b.Length ? 0 : throw new ArgumentException("destination too small", nameof(dst));
        int i = 0, j = 0, n = 0;
        while (i < a.Length && j < b.Length)
        {
            ushort va = a[i], vb = b[j];
            if (va < vb)
            {
                dst[n++] = va;
                i++;
            }
            else if (vb < va)
            {
                dst[n++] = vb;
                j++;
            }
            else
            {
                i++;
                j++;
            }
        }

        a[i..].CopyTo(dst[n..]);
        n += a.Length - i;
        b[j..].CopyTo(dst[n..]);
        return n + b.Length - j;
    }

    /// <summary>a minus b; dst must hold a.Length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Difference(ReadOnlySpan<ushort> a, ReadOnlySpan<ushort> b, Span<ushort> dst)
    {
        if (b.Length == 0)
        {
            a.CopyTo(dst);
            return a.Length;
        }

        int n = 0;
        if (a.Length * GallopRatio < b.Length)
        {
            int k = 0;
            foreach (ushort v in a)
            {
                k = AdvanceUntil(b, k, v);
                if (k == b.Length || b[k] != v)
                {
                    dst[n++] = v;
                }
            }

            return n;
        }

        _ = dst.Length >= a.Length ? 0 : throw new ArgumentException("destination too small", nameof(dst));
        ref ushort ra = ref MemoryMarshal.GetReference(a);
        ref ushort rb = ref MemoryMarshal.GetReference(b);
        ref ushort rd = ref MemoryMarshal.GetReference(dst);
        int i = 0, j = 0, la = a.Length, lb = b.Length;
        while (i < la && j < lb)
        {
            ushort va = Unsafe.Add(ref ra, i), vb = Unsafe.Add(ref rb, j);
            Unsafe.Add(ref rd, n) = va;
            n += va < vb ? 1 : 0;
            i += va <= vb ? 1 : 0;
            j += va >= vb ? 1 : 0;
        }

        a[i..].CopyTo(dst[n..]);
        return n + la - i;
    }

    /// <summary>Index of the first element &gt;= value (branchless binary search), or the length when none is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LowerBound(ReadOnlySpan<ushort> array, ushort value)
    {
        int n = array.Length;
        if (n == 0)
        {
            return 0;
        }

        ref ushort r = ref MemoryMarshal.GetReference(array);
        int lo = 0;
        while (n > 1)
        {
            int half = n >> 1;
            lo = Unsafe.Add(ref r, lo + half) < value ? lo + half : lo;
            n -= half;
        }

        return lo + (Unsafe.Add(ref r, lo) < value ? 1 : 0);
    }

    /// <summary>
    /// Arrays built from sorted input or read from the portable format have at least this many elements (keys and
    /// array containers), so up to 8 values are searched with one vector compare and no loop.
    /// </summary>
    public const int PaddedLength = 8;

    /// <summary>Whether <see cref="SmallMatches"/> applies: at most 8 elements in a padded array, and vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSmall(ushort[] sorted, int length) =>
        Vector128.IsHardwareAccelerated && length <= PaddedLength && sorted.Length >= PaddedLength;

    /// <summary>Bit k set when sorted[k] == value, k &lt; length (see <see cref="IsSmall"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint SmallMatches(ushort[] sorted, int length, ushort value)
    {
        // Sparse bitmaps have few keys and tiny arrays: one compare, the lanes past the length masked off.
        uint mask = Vector128.Equals(Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(sorted)), Vector128.Create(value))
            .ExtractMostSignificantBits();
        return Bmi2.IsSupported ? Bmi2.ZeroHighBits(mask, (uint)length) : mask & ((1u << length) - 1);
    }

    /// <summary>
    /// Index of value in a sorted span, or -1: a branchless binary search narrows the place to one vector's
    /// width, then one vector compare finds it (short spans: the compare alone).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOf(ReadOnlySpan<ushort> sorted, ushort value)
    {
        ref ushort r = ref MemoryMarshal.GetReference(sorted);
        int length = sorted.Length;
        if (Vector512.IsHardwareAccelerated && length >= 32)
        {
            int start = Narrow(ref r, length, value, 32);
            ulong mask = Vector512.Equals(Vector512.LoadUnsafe(ref r, (nuint)start), Vector512.Create(value)).ExtractMostSignificantBits();
            return mask == 0 ? -1 : start + BitOperations.TrailingZeroCount(mask);
        }

        if (Vector256.IsHardwareAccelerated && length >= 16)
        {
            int start = Narrow(ref r, length, value, 16);
            uint mask = Vector256.Equals(Vector256.LoadUnsafe(ref r, (nuint)start), Vector256.Create(value)).ExtractMostSignificantBits();
            return mask == 0 ? -1 : start + BitOperations.TrailingZeroCount(mask);
        }

        if (Vector128.IsHardwareAccelerated && length >= 8)
        {
            // Two windows, [0, 8) and [length - 8, length), overlapping when length < 16.
            Vector128<ushort> v = Vector128.Create(value);
            uint first = Vector128.Equals(Vector128.LoadUnsafe(ref r), v).ExtractMostSignificantBits();
            uint second = Vector128.Equals(Vector128.LoadUnsafe(ref r, (nuint)(length - 8)), v).ExtractMostSignificantBits();
            return first != 0 ? BitOperations.TrailingZeroCount(first)
                : second != 0 ? length - 8 + BitOperations.TrailingZeroCount(second) : -1;
        }

        for (int i = 0; i < length; i++)
        {
            if (Unsafe.Add(ref r, i) == value)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Start of a window of <paramref name="width"/> elements (inside the span, length &gt;= width) that holds the
    /// first element &gt;= value whenever that element is before the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Narrow(ref ushort r, int length, ushort value, int width)
    {
        // Invariant: lo <= lower bound <= lo + n; stop when the window [lo, lo + width) covers lo + n - 1.
        int lo = 0, n = length;
        while (n >= width)
        {
            int half = n >> 1;
            lo = Unsafe.Add(ref r, lo + half) < value ? lo + half : lo;
            n -= half;
        }

        return Math.Min(lo, length - width);
    }

    /// <summary>Index of value, or the bitwise complement of its insertion point.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BinarySearch(ReadOnlySpan<ushort> array, ushort value)
    {
        int i = LowerBound(array, value);
        return i < array.Length && array[i] == value ? i : ~i;
    }

    public static int NumberOfRuns(ReadOnlySpan<ushort> values)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        int runs = 1;
        for (int i = 1; i < values.Length; i++)
        {
            runs += values[i] != values[i - 1] + 1 ? 1 : 0;
        }

        return runs;
    }
}
