using System.Runtime.CompilerServices;
using Onboarding.Engine.Bitmaps.Containers;
using Onboarding.Engine.Bitmaps.Internal;

namespace Onboarding.Engine.Bitmaps;

public sealed partial class RoaringBitmap
{
    // ------------------------------------------------------------ pairwise, new result

    /// <summary>Values in both bitmaps.</summary>
    public static RoaringBitmap And(RoaringBitmap left, RoaringBitmap right) => Merge<IntersectMerge>(left, right, inPlace: false);

    /// <summary>Values in either bitmap.</summary>
    public static RoaringBitmap Or(RoaringBitmap left, RoaringBitmap right) => Merge<UnionMerge>(left, right, inPlace: false);

    /// <summary>Values in exactly one of the bitmaps.</summary>
    public static RoaringBitmap Xor(RoaringBitmap left, RoaringBitmap right) => Merge<XorMerge>(left, right, inPlace: false);

    /// <summary>Values of <paramref name="left"/> not in <paramref name="right"/>.</summary>
    public static RoaringBitmap AndNot(RoaringBitmap left, RoaringBitmap right) => Merge<DifferenceMerge>(left, right, inPlace: false);

    public RoaringBitmap And(RoaringBitmap other) => And(this, other);

    public RoaringBitmap Or(RoaringBitmap other) => Or(this, other);

    public RoaringBitmap Xor(RoaringBitmap other) => Xor(this, other);

    public RoaringBitmap AndNot(RoaringBitmap other) => AndNot(this, other);

    public static RoaringBitmap operator &(RoaringBitmap left, RoaringBitmap right) => And(left, right);

    public static RoaringBitmap operator |(RoaringBitmap left, RoaringBitmap right) => Or(left, right);

    public static RoaringBitmap operator ^(RoaringBitmap left, RoaringBitmap right) => Xor(left, right);

    public static RoaringBitmap operator -(RoaringBitmap left, RoaringBitmap right) => AndNot(left, right);

    // ------------------------------------------------------------ in place

    /// <summary>this = this AND other.</summary>
    public void AndWith(RoaringBitmap other)
    {
        if (!ReferenceEquals(this, other))
        {
            TakeFrom(Merge<IntersectMerge>(this, other, inPlace: true));
        }
    }

    /// <summary>this = this OR other.</summary>
    public void OrWith(RoaringBitmap other)
    {
        if (!ReferenceEquals(this, other))
        {
            TakeFrom(Merge<UnionMerge>(this, other, inPlace: true));
        }
    }

    /// <summary>this = this XOR other.</summary>
    public void XorWith(RoaringBitmap other)
    {
        if (ReferenceEquals(this, other))
        {
            Clear();
            return;
        }

        TakeFrom(Merge<XorMerge>(this, other, inPlace: true));
    }

    /// <summary>this = this AND NOT other.</summary>
    public void AndNotWith(RoaringBitmap other)
    {
        if (ReferenceEquals(this, other))
        {
            Clear();
            return;
        }

        TakeFrom(Merge<DifferenceMerge>(this, other, inPlace: true));
    }

    /// <summary>OR with a bitmap nobody else holds: its containers are moved, not cloned.</summary>
    private void OrWithOwned(RoaringBitmap owned) => TakeFrom(Merge<UnionMerge>(this, owned, inPlace: true, rightOwned: true));

    // ------------------------------------------------------------ cardinality only

    /// <summary>|left AND right| without building the result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long AndCardinality(RoaringBitmap left, RoaringBitmap right)
    {
        long total = 0;
        int i = 0, j = 0;
        ReadOnlySpan<ushort> lk = left._keys.AsSpan(0, left._size), rk = right._keys.AsSpan(0, right._size);
        while (i < lk.Length && j < rk.Length)
        {
            ushort a = lk[i], b = rk[j];
            if (a < b)
            {
                i = ArrayOps.AdvanceUntil(lk, i + 1, b);
            }
            else if (b < a)
            {
                j = ArrayOps.AdvanceUntil(rk, j + 1, a);
            }
            else
            {
                total += ContainerOps.AndCardinality(left._containers[i++], right._containers[j++]);
            }
        }

        return total;
    }

    /// <summary>|left OR right| without building the result.</summary>
    public static long OrCardinality(RoaringBitmap left, RoaringBitmap right) =>
        left.Cardinality + right.Cardinality - AndCardinality(left, right);

    /// <summary>|left XOR right| without building the result.</summary>
    public static long XorCardinality(RoaringBitmap left, RoaringBitmap right) =>
        left.Cardinality + right.Cardinality - (2 * AndCardinality(left, right));

    /// <summary>|left AND NOT right| without building the result.</summary>
    public static long AndNotCardinality(RoaringBitmap left, RoaringBitmap right) =>
        left.Cardinality - AndCardinality(left, right);

    public long AndCardinality(RoaringBitmap other) => AndCardinality(this, other);

    public long OrCardinality(RoaringBitmap other) => OrCardinality(this, other);

    public long XorCardinality(RoaringBitmap other) => XorCardinality(this, other);

    public long AndNotCardinality(RoaringBitmap other) => AndNotCardinality(this, other);

    /// <summary>True when the bitmaps share at least one value.</summary>
    public bool Intersects(RoaringBitmap other) => AndCardinality(this, other) > 0;

    // ------------------------------------------------------------ wide

    /// <summary>Union of many bitmaps: per key, containers are OR-ed into one bitset whose cardinality is computed once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RoaringBitmap Or(params ReadOnlySpan<RoaringBitmap> bitmaps)
    {
        if (bitmaps.Length == 0)
        {
            return new RoaringBitmap();
        }

        if (bitmaps.Length == 1)
        {
            return bitmaps[0].Clone();
        }

        int total = 0;
        foreach (RoaringBitmap b in bitmaps)
        {
            total += b._size;
        }

        // Order (key, container index) pairs packed in longs by key, bitmap order within a key, then process
        // each key's group: a counting sort over the key range when it is narrow, else a comparison sort.
        // Containers are written through spans: a Container[] element store checks the type (covariance) and so
        // reads every container's header, a cache miss each (5 % of census1881's wide OR).
        var all = new Container[total];
        Span<Container> allSpan = all;
        var order = new long[total];
        int n = 0, minKey = ushort.MaxValue, maxKey = 0;
        foreach (RoaringBitmap b in bitmaps)
        {
            if (b._size > 0)
            {
                minKey = Math.Min(minKey, b._keys[0]);
                maxKey = Math.Max(maxKey, b._keys[b._size - 1]);
            }

            for (int i = 0; i < b._size; i++, n++)
            {
                allSpan[n] = b._containers[i];
                order[n] = ((long)b._keys[i] << 32) | (uint)n;
            }
        }

        if (total > 0 && maxKey - minKey < 4 * total)
        {
            var starts = new int[maxKey - minKey + 2];
            foreach (long entry in order)
            {
                starts[(int)(entry >> 32) - minKey + 1]++;
            }

            for (int k = 1; k < starts.Length; k++)
            {
                starts[k] += starts[k - 1];
            }

            var sorted = new long[total];
            foreach (long entry in order)
            {
                sorted[starts[(int)(entry >> 32) - minKey]++] = entry;
            }

            order = sorted;
        }
        else
        {
            order.AsSpan().Sort();
        }

        // The containers in key order: each key's group is a slice.
        var grouped = new Container[total];
        Span<Container> groupedSpan = grouped;
        for (int g = 0; g < total; g++)
        {
            groupedSpan[g] = all[(int)order[g]];
        }

        var keys = new ushort[Math.Min(total, 65536)];
        var containers = new Container[keys.Length];
        Span<Container> containersSpan = containers;
        int size = 0;
        for (int g = 0; g < total;)
        {
            ushort key = (ushort)(order[g] >> 32);
            int end = g + 1;
            while (end < total && (ushort)(order[end] >> 32) == key)
            {
                end++;
            }

            keys[size] = key;
            containersSpan[size++] = UnionOfGroup(groupedSpan[g..end]);
            g = end;
        }

        return new RoaringBitmap(keys, containers, size);
    }

    /// <summary>Union of many bitmaps.</summary>
    public static RoaringBitmap Or(IEnumerable<RoaringBitmap> bitmaps)
    {
        ArgumentNullException.ThrowIfNull(bitmaps);
        return Or(bitmaps as RoaringBitmap[] ?? [.. bitmaps]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Container UnionOfGroup(ReadOnlySpan<Container> group)
    {
        if (group.Length == 1)
        {
            return group[0].Clone();
        }

        int sum = 0;
        bool allArrays = true, anyBitset = false;
        foreach (Container c in group)
        {
            if (c is RunContainer { IsFull: true })
            {
                return Container.Range(0, 65536);
            }

            sum += c.Cardinality;
            allArrays &= c is ArrayContainer;
            anyBitset |= c is BitsetContainer;
        }

        if (allArrays && group.Length == 2 && sum <= Container.MaxArraySize)
        {
            return ContainerOps.Or(group[0], group[1]);
        }

        if (allArrays && sum <= SmallGroupUnion)
        {
            // Few values: concatenate, sort, deduplicate.
            Span<ushort> buffer = Scratch.Values.AsSpan(0, sum);
            int n = 0;
            foreach (Container c in group)
            {
                ((ArrayContainer)c).Span.CopyTo(buffer[n..]);
                n += c.Cardinality;
            }

            buffer.Sort();
            int unique = 0;
            for (int k = 0; k < n; k++)
            {
                if (unique == 0 || buffer[k] != buffer[unique - 1])
                {
                    buffer[unique++] = buffer[k];
                }
            }

            return new ArrayContainer(buffer[..unique].ToArray(), unique);
        }

        if (sum <= Container.MaxArraySize && !anyBitset)
        {
            return SmallUnionOfGroup(group);
        }

        // Lazy union into one bitset, counted once at the end.
        ulong[] words = null!;
        int first = 0;
        for (int k = 0; k < group.Length; k++)
        {
            if (group[k] is BitsetContainer b)
            {
                words = (ulong[])b.Words.Clone();
                first = k;
                break;
            }
        }

        words ??= new ulong[BitsetOps.Words];
        // Once the containers so far hold 65536 values the union may be full, and then the rest cannot add anything.
        // When it is not, it lacks `missing` values, and cannot be full before the next containers hold that many:
        // one count per check, and few checks (census1881_srt spent 85 % of its wide OR scanning for fullness
        // after every container).
        int seen = 0, nextCheck = 65536;
        for (int k = 0; k < group.Length; k++)
        {
            Container c = group[k];
            if (k != first || c is not BitsetContainer)
            {
                ContainerOps.LazyOrInto(words, c);
            }

            seen += c.Cardinality;
            if (seen >= nextCheck && k + 1 < group.Length)
            {
                int missing = 65536 - BitsetOps.Count(words);
                if (missing == 0)
                {
                    return Container.Range(0, 65536);
                }

                nextCheck = seen + missing;
            }
        }

        return Container.FromWords(words, BitsetOps.Count(words));
    }

    /// <summary>
    /// The union of arrays and runs holding at most 4096 values in all, so an array: set in the thread's scratch
    /// bitset, read back in order, and the touched words cleared again (no 8 KB allocation, no count pass).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ArrayContainer SmallUnionOfGroup(ReadOnlySpan<Container> group)
    {
        ulong[] words = Scratch.Words;
        foreach (Container c in group)
        {
            ContainerOps.LazyOrInto(words, c);
        }

        ushort[] values = Scratch.Values;
        int n = BitsetOps.Extract(words, values);
        if (n > SmallGroupUnion)
        {
            Array.Clear(words);
        }
        else
        {
            foreach (ushort v in values.AsSpan(0, n))
            {
                words[v >> 6] = 0;
            }
        }

        return new ArrayContainer(values.AsSpan(0, n).ToArray(), n);
    }

    /// <summary>Groups of arrays with at most this many values in total are united by sorting.</summary>
    private const int SmallGroupUnion = 256;

    /// <summary>Intersection of many bitmaps (empty when none are given).</summary>
    public static RoaringBitmap And(params ReadOnlySpan<RoaringBitmap> bitmaps)
    {
        if (bitmaps.Length == 0)
        {
            return new RoaringBitmap();
        }

        int smallest = 0;
        for (int i = 1; i < bitmaps.Length; i++)
        {
            if (bitmaps[i]._size < bitmaps[smallest]._size)
            {
                smallest = i;
            }
        }

        RoaringBitmap result = bitmaps[smallest].Clone();
        for (int i = 0; i < bitmaps.Length && !result.IsEmpty; i++)
        {
            if (i != smallest)
            {
                result.AndWith(bitmaps[i]);
            }
        }

        return result;
    }

    /// <summary>Intersection of many bitmaps (empty when none are given).</summary>
    public static RoaringBitmap And(IEnumerable<RoaringBitmap> bitmaps)
    {
        ArgumentNullException.ThrowIfNull(bitmaps);
        return And(bitmaps as RoaringBitmap[] ?? [.. bitmaps]);
    }

    // ------------------------------------------------------------ merge machinery

    private interface IMergeOp
    {
        /// <summary>Whether containers whose key only the left side has belong to the result.</summary>
        static abstract bool KeepLeftOnly { get; }

        static abstract bool KeepRightOnly { get; }

        static abstract Container? Both(Container left, Container right);

        /// <summary>Like Both, but may mutate and return <paramref name="left"/>.</summary>
        static abstract Container? BothInPlace(Container left, Container right);
    }

    private readonly struct IntersectMerge : IMergeOp
    {
        public static bool KeepLeftOnly => false;

        public static bool KeepRightOnly => false;

        public static Container? Both(Container left, Container right) => ContainerOps.And(left, right);

        public static Container? BothInPlace(Container left, Container right) => ContainerOps.AndInPlace(left, right);
    }

    private readonly struct UnionMerge : IMergeOp
    {
        public static bool KeepLeftOnly => true;

        public static bool KeepRightOnly => true;

        public static Container? Both(Container left, Container right) => ContainerOps.Or(left, right);

        public static Container? BothInPlace(Container left, Container right) => ContainerOps.OrInPlace(left, right);
    }

    private readonly struct XorMerge : IMergeOp
    {
        public static bool KeepLeftOnly => true;

        public static bool KeepRightOnly => true;

        public static Container? Both(Container left, Container right) => ContainerOps.Xor(left, right);

        public static Container? BothInPlace(Container left, Container right) => ContainerOps.Xor(left, right);
    }

    private readonly struct DifferenceMerge : IMergeOp
    {
        public static bool KeepLeftOnly => true;

        public static bool KeepRightOnly => false;

        public static Container? Both(Container left, Container right) => ContainerOps.AndNot(left, right);

        public static Container? BothInPlace(Container left, Container right) => ContainerOps.AndNot(left, right);
    }

    /// <summary>
    /// Walks both key lists. With <paramref name="inPlace"/>, the left bitmap's containers may be reused or mutated
    /// (the caller adopts the result); with <paramref name="rightOwned"/>, the right bitmap's containers are moved.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RoaringBitmap Merge<TOp>(RoaringBitmap left, RoaringBitmap right, bool inPlace, bool rightOwned = false)
        where TOp : struct, IMergeOp
    {
        int capacity = (TOp.KeepLeftOnly ? left._size : 0) + (TOp.KeepRightOnly ? right._size : 0);
        if (!TOp.KeepLeftOnly && !TOp.KeepRightOnly)
        {
            capacity = Math.Min(left._size, right._size);
        }

        capacity = Math.Min(capacity, 65536);
        var keys = new ushort[capacity];
        var containers = new Container[capacity];
        int size = 0;
        ReadOnlySpan<ushort> lk = left._keys.AsSpan(0, left._size), rk = right._keys.AsSpan(0, right._size);
        Container[] lc = left._containers, rc = right._containers;
        int i = 0, j = 0;
        while (i < lk.Length && j < rk.Length)
        {
            ushort a = lk[i], b = rk[j];
            if (a < b)
            {
                if (TOp.KeepLeftOnly)
                {
                    keys[size] = a;
                    containers[size++] = inPlace ? lc[i] : lc[i].Clone();
                    i++;
                }
                else
                {
                    i = ArrayOps.AdvanceUntil(lk, i + 1, b);
                }
            }
            else if (b < a)
            {
                if (TOp.KeepRightOnly)
                {
                    keys[size] = b;
                    containers[size++] = rightOwned ? rc[j] : rc[j].Clone();
                    j++;
                }
                else
                {
                    j = ArrayOps.AdvanceUntil(rk, j + 1, a);
                }
            }
            else
            {
                Container? c = inPlace ? TOp.BothInPlace(lc[i], rc[j]) : TOp.Both(lc[i], rc[j]);
                if (c is not null && c.Cardinality > 0)
                {
                    keys[size] = a;
                    containers[size++] = c;
                }

                i++;
                j++;
            }
        }

        if (TOp.KeepLeftOnly)
        {
            for (; i < lk.Length; i++)
            {
                keys[size] = lk[i];
                containers[size++] = inPlace ? lc[i] : lc[i].Clone();
            }
        }

        if (TOp.KeepRightOnly)
        {
            for (; j < rk.Length; j++)
            {
                keys[size] = rk[j];
                containers[size++] = rightOwned ? rc[j] : rc[j].Clone();
            }
        }

        return new RoaringBitmap(keys, containers, size);
    }
}
