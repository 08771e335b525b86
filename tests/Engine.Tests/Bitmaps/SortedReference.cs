using System.Buffers.Binary;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>
/// The obviously-correct reference the Roaring bitmap is checked against: set operations as merges of sorted,
/// duplicate-free uint arrays, and an independent writer of the portable serialization format.
/// </summary>
internal static class SortedReference
{
    public static uint[] And(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        var result = new List<uint>(Math.Min(a.Length, b.Length));
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] < b[j])
            {
                i++;
            }
            else if (a[i] > b[j])
            {
                j++;
            }
            else
            {
                result.Add(a[i]);
                i++;
                j++;
            }
        }

        return [.. result];
    }

    public static uint[] Or(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b) => Merge(a, b, keepA: true, keepB: true, keepBoth: true);

    public static uint[] Xor(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b) => Merge(a, b, keepA: true, keepB: true, keepBoth: false);

    public static uint[] AndNot(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b) => Merge(a, b, keepA: true, keepB: false, keepBoth: false);

    /// <summary>Union of many sorted arrays (pairwise merge tree).</summary>
    public static uint[] OrAll(IReadOnlyList<uint[]> sets)
    {
        if (sets.Count == 0)
        {
            return [];
        }

        var level = new List<uint[]>(sets);
        while (level.Count > 1)
        {
            var next = new List<uint[]>((level.Count + 1) / 2);
            for (int i = 0; i < level.Count; i += 2)
            {
                next.Add(i + 1 < level.Count ? Or(level[i], level[i + 1]) : level[i]);
            }

            level = next;
        }

        return level[0];
    }

    /// <summary>Intersection of many sorted arrays.</summary>
    public static uint[] AndAll(IReadOnlyList<uint[]> sets)
    {
        if (sets.Count == 0)
        {
            return [];
        }

        uint[] result = sets[0];
        for (int i = 1; i < sets.Count && result.Length > 0; i++)
        {
            result = And(result, sets[i]);
        }

        return result;
    }

    /// <summary>Number of values &lt;= <paramref name="x"/>.</summary>
    public static long Rank(ReadOnlySpan<uint> sorted, uint x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (sorted[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// The portable serialization of a sorted set as CRoaring (5.x) writes it. Without <paramref name="runOptimized"/>:
    /// arrays (cardinality &lt;= 4096) and bitsets. With it, CRoaring's <c>roaring_bitmap_run_optimize</c> choice for a
    /// bitmap built of arrays and bitsets: a container becomes a run container only when that is strictly smaller,
    /// i.e. 2 + 4·runs &lt; 2·cardinality for an array (CRoaring PR #702 fixed the array size to 2·cardinality), and
    /// 2 + 4·runs &lt; 8192 for a bitset. <paramref name="preferRunOnTie"/> picks the run container when both sizes are
    /// equal (what CRoaring keeps for a container that already was a run container).
    /// </summary>
    public static byte[] Serialize(ReadOnlySpan<uint> sorted, bool runOptimized, bool preferRunOnTie = false)
    {
        var containers = new List<(ushort Key, ushort[] Lows, int Runs, bool IsRun)>();
        int start = 0;
        while (start < sorted.Length)
        {
            ushort key = (ushort)(sorted[start] >> 16);
            int end = start;
            while (end < sorted.Length && (sorted[end] >> 16) == key)
            {
                end++;
            }

            var lows = new ushort[end - start];
            int runs = 0;
            for (int i = 0; i < lows.Length; i++)
            {
                lows[i] = (ushort)sorted[start + i];
                if (i == 0 || lows[i] != lows[i - 1] + 1)
                {
                    runs++;
                }
            }

            int runSize = 2 + (4 * runs);
            bool isRun = runOptimized && (lows.Length <= 4096
                ? runSize < 2 * lows.Length || (preferRunOnTie && runSize == 2 * lows.Length)
                : runSize < 8192);
            containers.Add((key, lows, runs, isRun));
            start = end;
        }

        bool hasRun = containers.Exists(c => c.IsRun);
        int n = containers.Count;
        using var stream = new MemoryStream();
        var b4 = new byte[4];
        void U32(uint v)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b4, v);
            stream.Write(b4);
        }

        void U16(int v)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b4, (ushort)v);
            stream.Write(b4, 0, 2);
        }

        int headerSize;
        if (hasRun)
        {
            U32(12347u | ((uint)(n - 1) << 16));
            var flags = new byte[(n + 7) / 8];
            for (int i = 0; i < n; i++)
            {
                if (containers[i].IsRun)
                {
                    flags[i / 8] |= (byte)(1 << (i % 8));
                }
            }

            stream.Write(flags);
            headerSize = 4 + flags.Length + (4 * n) + (n >= 4 ? 4 * n : 0);
        }
        else
        {
            U32(12346u);
            U32((uint)n);
            headerSize = 8 + (8 * n);
        }

        foreach (var c in containers)
        {
            U16(c.Key);
            U16(c.Lows.Length - 1);
        }

        if (!hasRun || n >= 4)
        {
            int offset = headerSize;
            foreach (var c in containers)
            {
                U32((uint)offset);
                offset += c.IsRun ? 2 + (4 * c.Runs) : c.Lows.Length <= 4096 ? 2 * c.Lows.Length : 8192;
            }
        }

        foreach (var c in containers)
        {
            if (c.IsRun)
            {
                U16(c.Runs);
                int i = 0;
                while (i < c.Lows.Length)
                {
                    int j = i;
                    while (j + 1 < c.Lows.Length && c.Lows[j + 1] == c.Lows[j] + 1)
                    {
                        j++;
                    }

                    U16(c.Lows[i]);
                    U16(j - i);
                    i = j + 1;
                }
            }
            else if (c.Lows.Length <= 4096)
            {
                foreach (ushort low in c.Lows)
                {
                    U16(low);
                }
            }
            else
            {
                var words = new ulong[1024];
                foreach (ushort low in c.Lows)
                {
                    words[low >> 6] |= 1UL << (low & 63);
                }

                foreach (ulong w in words)
                {
                    U32((uint)w);
                    U32((uint)(w >> 32));
                }
            }
        }

        return stream.ToArray();
    }

    private static uint[] Merge(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b, bool keepA, bool keepB, bool keepBoth)
    {
        var result = new List<uint>(a.Length + b.Length);
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (j == b.Length || (i < a.Length && a[i] < b[j]))
            {
                if (keepA)
                {
                    result.Add(a[i]);
                }

                i++;
            }
            else if (i == a.Length || b[j] < a[i])
            {
                if (keepB)
                {
                    result.Add(b[j]);
                }

                j++;
            }
            else
            {
                if (keepBoth)
                {
                    result.Add(a[i]);
                }

                i++;
                j++;
            }
        }

        return [.. result];
    }
}
