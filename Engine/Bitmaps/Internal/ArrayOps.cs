using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Union(ReadOnlySpan<ushort> a, ReadOnlySpan<ushort> b, Span<ushort> dst)
    {
        _ = dst.Length >= a.Length + b.Length ? 0 : throw new ArgumentException("destination too small", nameof(dst));
        ref ushort ra = ref MemoryMarshal.GetReference(a);
        ref ushort rb = ref MemoryMarshal.GetReference(b);
        ref ushort rd = ref MemoryMarshal.GetReference(dst);
        int i = 0, j = 0, n = 0, la = a.Length, lb = b.Length;
        while (i < la && j < lb)
        {
            ushort va = Unsafe.Add(ref ra, i), vb = Unsafe.Add(ref rb, j);
            Unsafe.Add(ref rd, n++) = va <= vb ? va : vb;
            i += va <= vb ? 1 : 0;
            j += va >= vb ? 1 : 0;
        }

        a[i..].CopyTo(dst[n..]);
        n += la - i;
        b[j..].CopyTo(dst[n..]);
        return n + lb - j;
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
