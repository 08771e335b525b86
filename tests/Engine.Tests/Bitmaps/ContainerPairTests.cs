using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Bitmaps.Containers;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>Every operation over every pair of container types, checked against HashSet and canonical encodings.</summary>
public class ContainerPairTests
{
    public enum Kind
    {
        SmallArray,
        LargeArray,
        Bitset,
        SmallRun,
        LargeRun,
        FullRun,
    }

    public static TheoryData<Kind, Kind> Pairs
    {
        get
        {
            var data = new TheoryData<Kind, Kind>();
            foreach (Kind a in Enum.GetValues<Kind>())
            {
                foreach (Kind b in Enum.GetValues<Kind>())
                {
                    data.Add(a, b);
                }
            }

            return data;
        }
    }

    /// <summary>Builds a bitmap whose containers (keys 0 and 2) are of the requested kind.</summary>
    private static RoaringBitmap Build(Kind kind, int seed)
    {
        var random = new Random(seed);
        var values = new SortedSet<uint>();
        foreach (uint key in new uint[] { 0, 2 })
        {
            uint high = key << 16;
            switch (kind)
            {
                case Kind.SmallArray:
                    for (int added = 0; added < 300;)
                    {
                        added += values.Add(high | (uint)random.Next(20000)) ? 1 : 0;
                    }

                    break;
                case Kind.LargeArray:
                    for (int added = 0; added < 4000;)
                    {
                        added += values.Add(high | (uint)random.Next(65536)) ? 1 : 0;
                    }

                    break;
                case Kind.Bitset:
                    for (int i = 0; i < 12000; i++)
                    {
                        values.Add(high | (uint)random.Next(65536));
                    }

                    break;
                case Kind.SmallRun:
                    for (int r = 0; r < 10; r++)
                    {
                        int start = random.Next(60000);
                        for (int v = start; v < start + random.Next(20, 200); v++)
                        {
                            values.Add(high | (uint)v);
                        }
                    }

                    break;
                case Kind.LargeRun:
                    for (int r = 0; r < 6; r++)
                    {
                        int start = random.Next(55000);
                        for (int v = start; v < start + random.Next(1000, 10000); v++)
                        {
                            values.Add(high | (uint)v);
                        }
                    }

                    break;
                default:
                    for (uint v = 0; v < 65536; v++)
                    {
                        values.Add(high | v);
                    }

                    break;
            }
        }

        // Key 5 only on one side depending on the seed, to exercise unmatched containers.
        values.Add((5u << 16) | (uint)seed);
        RoaringBitmap bitmap = RoaringBitmap.FromSorted([.. values]);
        if (kind is Kind.SmallRun or Kind.LargeRun or Kind.FullRun)
        {
            bitmap.RunOptimize();
            Assert.IsType<RunContainer>(bitmap.ContainerAt(0));
        }

        return bitmap;
    }

    private static void AssertCanonical(IEnumerable<uint> expected, RoaringBitmap actual)
    {
        uint[] sorted = [.. expected.Distinct().Order()];
        Assert.Equal(sorted, actual.ToArray());
        Assert.Equal(sorted.Length, actual.Cardinality);

        // Same set, same canonical encoding once both are run-optimized.
        RoaringBitmap reference = RoaringBitmap.FromSorted(sorted);
        RoaringBitmap copy = actual.Clone();
        reference.RunOptimize();
        copy.RunOptimize();
        Assert.Equal(reference.Serialize(), copy.Serialize());
        Assert.Equal(reference, actual);
        Assert.Equal(reference.GetHashCode(), actual.GetHashCode());

        // Array containers never exceed 4096 values, bitsets never hold 4096 or fewer.
        for (int i = 0; i < actual.ContainerCount; i++)
        {
            Container c = actual.ContainerAt(i);
            Assert.True(c.Cardinality > 0);
            if (c is ArrayContainer)
            {
                Assert.True(c.Cardinality <= 4096);
            }
            else if (c is BitsetContainer)
            {
                Assert.True(c.Cardinality > 4096);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void BinaryOperations_AllContainerPairs_MatchSetSemantics(Kind left, Kind right)
    {
        RoaringBitmap a = Build(left, 1), b = Build(right, 2);
        HashSet<uint> sa = [.. a], sb = [.. b];
        IEnumerable<uint> and = sa.Intersect(sb), or = sa.Union(sb), andNot = sa.Except(sb);
        IEnumerable<uint> xor = sa.Except(sb).Union(sb.Except(sa));

        AssertCanonical(and, a & b);
        AssertCanonical(or, a | b);
        AssertCanonical(xor, a ^ b);
        AssertCanonical(andNot, a - b);
        Assert.Equal(and.Count(), a.AndCardinality(b));
        Assert.Equal(or.Count(), a.OrCardinality(b));
        Assert.Equal(xor.Count(), a.XorCardinality(b));
        Assert.Equal(andNot.Count(), a.AndNotCardinality(b));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void InPlaceOperations_AllContainerPairs_MatchSetSemanticsAndLeaveArgumentIntact(Kind left, Kind right)
    {
        RoaringBitmap a = Build(left, 1), b = Build(right, 2);
        byte[] bBytes = b.Serialize();
        HashSet<uint> sa = [.. a], sb = [.. b];

        RoaringBitmap x = a.Clone();
        x.AndWith(b);
        AssertCanonical(sa.Intersect(sb), x);
        x = a.Clone();
        x.OrWith(b);
        AssertCanonical(sa.Union(sb), x);
        x = a.Clone();
        x.XorWith(b);
        AssertCanonical(sa.Except(sb).Union(sb.Except(sa)), x);
        x = a.Clone();
        x.AndNotWith(b);
        AssertCanonical(sa.Except(sb), x);

        Assert.Equal(bBytes, b.Serialize());
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void WideOr_AllContainerPairs_MatchesPairwiseUnion(Kind left, Kind right)
    {
        RoaringBitmap a = Build(left, 1), b = Build(right, 2), c = Build(left, 3);

        AssertCanonical([.. a, .. b, .. c], RoaringBitmap.Or(a, b, c));
        AssertCanonical(((IEnumerable<uint>)[.. a]).Intersect(b).Intersect(c), RoaringBitmap.And(a, b, c));
    }

    [Fact]
    public void WideOr_ManySmallArraysInOneKey_UnitesThem()
    {
        var bitmaps = new List<RoaringBitmap>();
        var expected = new HashSet<uint>();
        var random = new Random(9);
        for (int i = 0; i < 50; i++)
        {
            uint[] values = [.. Enumerable.Range(0, random.Next(1, 150)).Select(_ => (uint)random.Next(70000)).Distinct().Order()];
            bitmaps.Add(RoaringBitmap.FromSorted(values));
            expected.UnionWith(values);
        }

        AssertCanonical(expected, RoaringBitmap.Or(bitmaps));
    }
}
