using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

public class RoaringBitmapTests
{
    [Fact]
    public void Add_EdgeValues_AreContainedAndEnumeratedInOrder()
    {
        var bitmap = new RoaringBitmap();
        uint[] values = [uint.MaxValue, 65536, 0, 65535, 1u << 31];

        foreach (uint v in values)
        {
            Assert.True(bitmap.Add(v));
        }

        Assert.False(bitmap.Add(0));
        Assert.Equal(5, bitmap.Cardinality);
        Assert.Equal(new uint[] { 0, 65535, 65536, 1u << 31, uint.MaxValue }, bitmap.ToArray());
        Assert.True(bitmap.Contains(uint.MaxValue));
        Assert.False(bitmap.Contains(uint.MaxValue - 1));
        Assert.Equal(0u, bitmap.Min);
        Assert.Equal(uint.MaxValue, bitmap.Max);
        Assert.Equal(bitmap, RoaringBitmap.Deserialize(bitmap.Serialize()));
    }

    [Fact]
    public void Remove_LastValueOfContainer_DropsContainer()
    {
        var bitmap = RoaringBitmap.FromSorted([1, 70000]);

        Assert.True(bitmap.Remove(70000));
        Assert.False(bitmap.Remove(70000));
        Assert.Equal(1, bitmap.ContainerCount);
        Assert.True(bitmap.Remove(1));
        Assert.True(bitmap.IsEmpty);
    }

    [Fact]
    public void MinMax_EmptyBitmap_ThrowsInvalidOperation()
    {
        var bitmap = new RoaringBitmap();

        Assert.Throws<InvalidOperationException>(() => bitmap.Min);
        Assert.Throws<InvalidOperationException>(() => bitmap.Max);
    }

    [Fact]
    public void RankSelect_EmptyBitmap_RankIsZeroAndSelectThrows()
    {
        var bitmap = new RoaringBitmap();

        Assert.Equal(0, bitmap.Rank(12345));
        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.Select(0));
    }

    [Fact]
    public void Add_4097thValue_ConvertsArrayToBitsetAndBackOnRemove()
    {
        var bitmap = new RoaringBitmap();
        for (uint v = 0; v < 4096; v++)
        {
            bitmap.Add(v * 2);
        }

        Assert.Equal(2 * 4096, bitmap.SerializedSizeInBytes() - 16);
        bitmap.Add(1);
        Assert.Equal(4097, bitmap.Cardinality);
        Assert.Equal(8192, bitmap.SerializedSizeInBytes() - 16);
        bitmap.Remove(1);
        Assert.Equal(2 * 4096, bitmap.SerializedSizeInBytes() - 16);
        Assert.Equal(4096, bitmap.Cardinality);
    }

    [Fact]
    public void FromSorted_4096And4097Values_PicksArrayThenBitset()
    {
        uint[] values = [.. Enumerable.Range(0, 4097).Select(i => (uint)i * 3)];

        Assert.Equal(16 + 8192, RoaringBitmap.FromSorted(values[..4096]).SerializedSizeInBytes());
        Assert.Equal(16 + 8192, RoaringBitmap.FromSorted(values).SerializedSizeInBytes());
        Assert.Equal(16 + 2 * 4095, RoaringBitmap.FromSorted(values[..4095]).SerializedSizeInBytes());
    }

    [Fact]
    public void FromSorted_Duplicates_AreCollapsed()
    {
        RoaringBitmap bitmap = RoaringBitmap.FromSorted([1, 1, 2, 2, 2, 70000, 70000]);

        Assert.Equal(new uint[] { 1, 2, 70000 }, bitmap.ToArray());
    }

    [Fact]
    public void FromSorted_Unsorted_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => RoaringBitmap.FromSorted([5, 3]));
        Assert.Throws<ArgumentException>(() => RoaringBitmap.FromSorted([70000, 3]));
    }

    [Fact]
    public void AddRange_CrossingContainerBoundaries_HoldsEveryValue()
    {
        var bitmap = new RoaringBitmap();
        bitmap.AddRange(65530, 3 * 65536 + 10);

        Assert.Equal(3 * 65536 + 10 - 65530, bitmap.Cardinality);
        Assert.Equal(65530u, bitmap.Min);
        Assert.Equal(3u * 65536 + 9, bitmap.Max);
        Assert.False(bitmap.Contains(65529));
        Assert.True(bitmap.Contains(131072));
        Assert.Equal(4, bitmap.ContainerCount);
    }

    [Fact]
    public void AddRange_ToEndOfUIntRange_IncludesMaxValue()
    {
        var bitmap = new RoaringBitmap();
        bitmap.AddRange(uint.MaxValue - 5, 1UL << 32);

        Assert.Equal(6, bitmap.Cardinality);
        Assert.True(bitmap.Contains(uint.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.AddRange(0, (1UL << 32) + 1));
    }

    [Fact]
    public void AddRange_WholeUIntRange_HasFullCardinality()
    {
        var bitmap = new RoaringBitmap();
        bitmap.AddRange(0, 1UL << 32);

        Assert.Equal(1L << 32, bitmap.Cardinality);
        Assert.Equal(4294967295L, bitmap.Rank(uint.MaxValue - 1) + 0);
        Assert.Equal(123456789u, bitmap.Select(123456789));
    }

    [Fact]
    public void AddRange_OverExistingContainers_MergesWithThem()
    {
        var bitmap = RoaringBitmap.FromSorted([1, 5, 70000, 200000]);
        bitmap.AddRange(3, 70001);

        var expected = new List<uint> { 1 };
        for (uint v = 3; v < 70001; v++)
        {
            expected.Add(v);
        }

        expected.Add(200000);
        Assert.Equal(expected, bitmap.ToArray());
    }

    [Fact]
    public void RemoveRange_CrossingContainers_RemovesExactlyTheRange()
    {
        var bitmap = new RoaringBitmap();
        bitmap.AddRange(0, 300000);
        bitmap.RemoveRange(10, 200000);

        Assert.Equal(10 + 100000, bitmap.Cardinality);
        Assert.True(bitmap.Contains(9));
        Assert.False(bitmap.Contains(10));
        Assert.False(bitmap.Contains(199999));
        Assert.True(bitmap.Contains(200000));

        bitmap.RemoveRange(0, 1UL << 32);
        Assert.True(bitmap.IsEmpty);
    }

    [Fact]
    public void RankSelect_AcrossContainerTypes_AreInverse()
    {
        var bitmap = new RoaringBitmap();
        bitmap.AddRange(100, 200);
        bitmap.AddMany([70000, 70002, 70004]);
        for (uint v = 0; v < 10000; v++)
        {
            bitmap.Add(200000 + (v * 3));
        }

        long count = bitmap.Cardinality;
        for (long i = 0; i < count; i += 7)
        {
            uint v = bitmap.Select(i);
            Assert.Equal(i + 1, bitmap.Rank(v));
        }

        Assert.Equal(0, bitmap.Rank(99));
        Assert.Equal(100, bitmap.Rank(250));
        Assert.Equal(count, bitmap.Rank(uint.MaxValue));
    }

    [Fact]
    public void RunOptimize_ArrayOfConsecutiveValues_BecomesRunAndShrinks()
    {
        var bitmap = RoaringBitmap.FromSorted([.. Enumerable.Range(10, 100).Select(i => (uint)i)]);

        Assert.Equal(8 + 8 + 200, bitmap.SerializedSizeInBytes());
        Assert.True(bitmap.RunOptimize());
        Assert.Equal(4 + 1 + 4 + 6, bitmap.SerializedSizeInBytes());
        Assert.Equal(100, bitmap.Cardinality);
    }

    [Fact]
    public void RunOptimize_ArrayWhereRunsAreNotSmaller_StaysArray()
    {
        // Two values in two runs: array 4 bytes, run 2 + 8 = 10 bytes.
        var bitmap = RoaringBitmap.FromSorted([1, 3]);

        Assert.False(bitmap.RunOptimize());
        Assert.False(bitmap.HasRuns);
    }

    [Fact]
    public void RunOptimize_ArrayTieBreak_FollowsStrictlySmallerRule()
    {
        // 5 values in 2 runs: array 10 bytes, run 2 + 8 = 10 bytes → stays array; 6 values in 2 runs → run.
        Assert.False(RoaringBitmap.FromSorted([1, 2, 3, 10, 11]).RunOptimize());
        Assert.True(RoaringBitmap.FromSorted([1, 2, 3, 10, 11, 12]).RunOptimize());
    }

    [Fact]
    public void RunOptimize_BitsetWithFewRuns_BecomesRunAndBackWhenFragmented()
    {
        var bitmap = new RoaringBitmap();
        for (uint v = 0; v < 10000; v++)
        {
            bitmap.Add(v);
        }

        Assert.Equal(16 + 8192, bitmap.SerializedSizeInBytes());
        Assert.True(bitmap.RunOptimize());
        Assert.Equal(4 + 1 + 4 + 6, bitmap.SerializedSizeInBytes());

        // Fragment the run container into 3000 runs (2 + 12000 bytes > 8192): back to a bitset.
        for (uint v = 0; v < 6000; v += 2)
        {
            bitmap.Remove(v);
        }

        Assert.True(bitmap.HasRuns);
        Assert.False(bitmap.RunOptimize());
        Assert.Equal(16 + 8192, bitmap.SerializedSizeInBytes());
        Assert.Equal(7000, bitmap.Cardinality);
    }

    [Fact]
    public void RunOptimize_RunContainerSmallerAsArray_BecomesArray()
    {
        var bitmap = new RoaringBitmap();
        bitmap.AddRange(0, 3);
        bitmap.AddRange(10, 13);
        Assert.True(bitmap.HasRuns);

        // 6 values: array 12 bytes, run 2 + 8 = 10 bytes → keeps run; 3 runs of 2 (array 12 < run 14) → array.
        Assert.True(bitmap.RunOptimize());
        bitmap.Remove(2);
        bitmap.Remove(12);
        bitmap.Add(20);
        bitmap.Add(21);
        Assert.False(bitmap.RunOptimize());
        Assert.Equal(new uint[] { 0, 1, 10, 11, 20, 21 }, bitmap.ToArray());
    }

    [Fact]
    public void Operators_MixedContainerTypes_MatchSetSemantics()
    {
        var random = new Random(42);
        RoaringBitmap a = RandomBitmap(random), b = RandomBitmap(random);
        HashSet<uint> sa = [.. a], sb = [.. b];

        AssertSet(sa.Intersect(sb), a & b);
        AssertSet(sa.Union(sb), a | b);
        AssertSet(sa.Except(sb), a - b);
        AssertSet(sa.Except(sb).Union(sb.Except(sa)), a ^ b);
        Assert.Equal(sa.Intersect(sb).Count(), RoaringBitmap.AndCardinality(a, b));
        Assert.Equal(sa.Union(sb).Count(), RoaringBitmap.OrCardinality(a, b));
        Assert.Equal(sa.Except(sb).Count(), RoaringBitmap.AndNotCardinality(a, b));
        Assert.Equal(sa.Except(sb).Union(sb.Except(sa)).Count(), RoaringBitmap.XorCardinality(a, b));
    }

    [Fact]
    public void InPlaceOperations_MatchPureOperations()
    {
        var random = new Random(7);
        for (int round = 0; round < 20; round++)
        {
            RoaringBitmap a = RandomBitmap(random), b = RandomBitmap(random);
            RoaringBitmap and = a & b, or = a | b, xor = a ^ b, andNot = a - b;

            RoaringBitmap x = a.Clone();
            x.AndWith(b);
            Assert.Equal(and, x);
            x = a.Clone();
            x.OrWith(b);
            Assert.Equal(or, x);
            x = a.Clone();
            x.XorWith(b);
            Assert.Equal(xor, x);
            x = a.Clone();
            x.AndNotWith(b);
            Assert.Equal(andNot, x);
        }
    }

    [Fact]
    public void Operations_DoNotModifyOrAliasInputs()
    {
        var random = new Random(3);
        RoaringBitmap a = RandomBitmap(random), b = RandomBitmap(random);
        byte[] before = a.Serialize();
        RoaringBitmap union = a | b;
        RoaringBitmap wide = RoaringBitmap.Or(a, b);

        union.AddRange(0, 1UL << 20);
        wide.Clear();
        RoaringBitmap c = a.Clone();
        c.OrWith(b);
        c.AddRange(0, 1UL << 20);

        Assert.Equal(before, a.Serialize());
    }

    [Fact]
    public void SelfOperations_GiveExpectedResults()
    {
        RoaringBitmap a = RandomBitmap(new Random(5));
        RoaringBitmap copy = a.Clone();

        a.OrWith(a);
        Assert.Equal(copy, a);
        a.AndWith(a);
        Assert.Equal(copy, a);
        a.XorWith(a);
        Assert.True(a.IsEmpty);
    }

    [Fact]
    public void WideOr_SmallGroupsOfArraysAndRuns_AreArraysAndLeaveNothingBehind()
    {
        // Per key, three arrays and a run holding 300..4096 values in all: united in the scratch bitset, which the
        // next union (same thread) must find empty again.
        static RoaringBitmap Part(uint key, int first, int count, int step)
        {
            var bitmap = RoaringBitmap.FromSorted([.. Enumerable.Range(0, count).Select(i => (key << 16) | (uint)(first + (i * step)))]);
            bitmap.RunOptimize();
            return bitmap;
        }

        for (int round = 0; round < 2; round++)
        {
            uint key = (uint)(3 + round);
            int shift = round * 10_001;
            RoaringBitmap[] parts =
                [Part(key, shift, 100, 7), Part(key, shift + 1, 900, 3), Part(key, shift + 5000, 1000, 1), Part(key, shift + 20_000, 2000, 2)];
            uint[] expected = SortedReference.OrAll([.. parts.Select(p => p.ToArray())]);

            RoaringBitmap union = RoaringBitmap.Or(parts);

            BitmapAssert.Holds(expected, union, $"round {round}");
        }
    }

    [Fact]
    public void WideOr_ManyBitmaps_EqualsPairwiseUnion()
    {
        var random = new Random(11);
        RoaringBitmap[] bitmaps = [.. Enumerable.Range(0, 12).Select(_ => RandomBitmap(random))];
        RoaringBitmap expected = new();
        foreach (RoaringBitmap b in bitmaps)
        {
            expected.OrWith(b);
        }

        Assert.Equal(expected, RoaringBitmap.Or(bitmaps));
        Assert.Equal(expected, RoaringBitmap.Or((IEnumerable<RoaringBitmap>)bitmaps));
    }

    [Fact]
    public void WideAnd_ManyBitmaps_EqualsPairwiseIntersection()
    {
        var random = new Random(13);
        RoaringBitmap[] bitmaps = [.. Enumerable.Range(0, 4).Select(_ => RandomBitmap(random, dense: true))];
        RoaringBitmap expected = bitmaps[0].Clone();
        foreach (RoaringBitmap b in bitmaps[1..])
        {
            expected.AndWith(b);
        }

        Assert.False(expected.IsEmpty);
        Assert.Equal(expected, RoaringBitmap.And(bitmaps));
        Assert.True(RoaringBitmap.And(ReadOnlySpan<RoaringBitmap>.Empty).IsEmpty);
    }

    [Fact]
    public void Equals_SameValuesDifferentRepresentation_AreEqualWithSameHash()
    {
        var a = new RoaringBitmap();
        a.AddRange(0, 10000);
        RoaringBitmap b = a.Clone();
        b.RunOptimize();

        Assert.True(b.HasRuns);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        b.Remove(5);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void BatchIterator_SmallSpans_YieldsAllValuesInOrder()
    {
        RoaringBitmap bitmap = RandomBitmap(new Random(17));
        bitmap.RunOptimize();
        var collected = new List<uint>();
        RoaringBitmap.BatchIterator iterator = bitmap.GetBatchIterator();
        Span<uint> buffer = stackalloc uint[7];
        int n;
        while ((n = iterator.Fill(buffer)) > 0)
        {
            collected.AddRange(buffer[..n]);
        }

        Assert.Equal(bitmap.ToArray(), collected);
        Assert.Equal(bitmap.Cardinality, collected.Count);
        Assert.Equal(collected, bitmap.Select(v => v));
    }

    /// <summary>Mixes array, bitset and run containers over a few keys.</summary>
    internal static RoaringBitmap RandomBitmap(Random random, bool dense = false)
    {
        var bitmap = new RoaringBitmap();
        for (uint key = 0; key < 8; key++)
        {
            int kind = random.Next(dense ? 1 : 0, 5);
            uint high = key << 16;
            switch (kind)
            {
                case 0:
                    break;
                case 1:
                    for (int i = 0; i < 100; i++)
                    {
                        bitmap.Add(high | (uint)random.Next(65536));
                    }

                    break;
                case 2:
                    for (int i = 0; i < 20000; i++)
                    {
                        bitmap.Add(high | (uint)random.Next(65536));
                    }

                    break;
                case 3:
                    for (int i = 0; i < 5; i++)
                    {
                        uint start = (uint)random.Next(60000);
                        bitmap.AddRange(high | start, (high | start) + (uint)random.Next(1, 5000));
                    }

                    break;
                default:
                    for (int i = 0; i < 3000; i++)
                    {
                        bitmap.Add(high | (uint)random.Next(65536));
                    }

                    bitmap.AddRange(high | 1000, (high | 1000) + 9000UL);
                    break;
            }
        }

        if (random.Next(2) == 0)
        {
            bitmap.RunOptimize();
        }

        return bitmap;
    }

    private static void AssertSet(IEnumerable<uint> expected, RoaringBitmap actual)
    {
        uint[] sorted = [.. expected.Order()];
        Assert.Equal(sorted, actual.ToArray());
        Assert.Equal(sorted.Length, actual.Cardinality);
        Assert.Equal(actual, RoaringBitmap.Deserialize(actual.Serialize()));
    }
}
