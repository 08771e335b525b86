using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>Set operations on successive pairs of every small real dataset agree with sorted-array merges.</summary>
public class RoaringDatasetOperationTests
{
    public static TheoryData<string, bool> DatasetsAndRunOptimize
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (string name in Onboarding.Testing.RoaringDatasets.SmallNames)
            {
                data.Add(name, false);
                data.Add(name, true);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(DatasetsAndRunOptimize))]
    public void PairOperations_SuccessivePairs_MatchReference(string dataset, bool runOptimize)
    {
        uint[][] sources = RoaringTestData.Dataset(dataset);
        RoaringBitmap[] bitmaps = Build(sources, runOptimize);
        for (int i = 0; i + 1 < sources.Length; i++)
        {
            uint[] a = sources[i], b = sources[i + 1];
            RoaringBitmap x = bitmaps[i], y = bitmaps[i + 1];
            string context = $"{dataset}[{i}],[{i + 1}] runOptimize={runOptimize}";
            uint[] and = SortedReference.And(a, b);
            uint[] or = SortedReference.Or(a, b);
            uint[] xor = SortedReference.Xor(a, b);
            uint[] andNot = SortedReference.AndNot(a, b);

            BitmapAssert.Holds(and, x & y, context + " &", samples: 8);
            BitmapAssert.Holds(or, x | y, context + " |", samples: 8);
            BitmapAssert.Holds(xor, x ^ y, context + " ^", samples: 8);
            BitmapAssert.Holds(andNot, x - y, context + " -", samples: 8);
            BitmapAssert.Holds(SortedReference.AndNot(b, a), y - x, context + " reversed -", samples: 8);
            BitmapAssert.SequenceEqual(and, [.. RoaringBitmap.And(x, y)], context + " And");
            BitmapAssert.SequenceEqual(or, [.. RoaringBitmap.Or(x, y)], context + " Or");
            BitmapAssert.SequenceEqual(xor, [.. RoaringBitmap.Xor(x, y)], context + " Xor");
            BitmapAssert.SequenceEqual(andNot, [.. RoaringBitmap.AndNot(x, y)], context + " AndNot");

            Assert.True(and.Length == x.AndCardinality(y), context + " AndCardinality");
            Assert.True(or.Length == x.OrCardinality(y), context + " OrCardinality");
            Assert.True(andNot.Length == x.AndNotCardinality(y), context + " AndNotCardinality");
            Assert.True(xor.Length == x.XorCardinality(y), context + " XorCardinality");
            Assert.True(and.Length == RoaringBitmap.AndCardinality(y, x), context + " AndCardinality(y, x)");
            Assert.True(and.Length > 0 == x.Intersects(y), context + " Intersects");

            var inPlace = x.Clone();
            inPlace.AndWith(y);
            BitmapAssert.Holds(and, inPlace, context + " AndWith", samples: 8);
            inPlace = x.Clone();
            inPlace.OrWith(y);
            BitmapAssert.Holds(or, inPlace, context + " OrWith", samples: 8);
            inPlace = x.Clone();
            inPlace.XorWith(y);
            BitmapAssert.Holds(xor, inPlace, context + " XorWith", samples: 8);
            inPlace = x.Clone();
            inPlace.AndNotWith(y);
            BitmapAssert.Holds(andNot, inPlace, context + " AndNotWith", samples: 8);
        }

        // No operation may have changed its operands.
        for (int i = 0; i < sources.Length; i++)
        {
            BitmapAssert.SequenceEqual(sources[i], [.. bitmaps[i]], $"{dataset}[{i}] operand after operations");
        }
    }

    /// <summary>Results must not share mutable state with their operands: mutate every result, operands stay put.</summary>
    [Theory]
    [MemberData(nameof(DatasetsAndRunOptimize))]
    public void PairOperations_MutatingResults_LeavesOperandsUnchanged(string dataset, bool runOptimize)
    {
        uint[][] sources = RoaringTestData.Dataset(dataset);
        RoaringBitmap[] bitmaps = Build(sources, runOptimize);
        for (int i = 0; i + 1 < sources.Length; i += 7)
        {
            RoaringBitmap x = bitmaps[i], y = bitmaps[i + 1];
            foreach (RoaringBitmap result in (RoaringBitmap[])[x & y, x | y, x ^ y, x - y, y - x, x.Clone()])
            {
                Scramble(result, sources[i], sources[i + 1]);
            }

            BitmapAssert.SequenceEqual(sources[i], [.. x], $"{dataset}[{i}] after mutating results");
            BitmapAssert.SequenceEqual(sources[i + 1], [.. y], $"{dataset}[{i + 1}] after mutating results");
        }
    }

    [Theory]
    [MemberData(nameof(DatasetsAndRunOptimize))]
    public void WideOrAnd_All200Bitmaps_MatchReference(string dataset, bool runOptimize)
    {
        uint[][] sources = RoaringTestData.Dataset(dataset);
        RoaringBitmap[] bitmaps = Build(sources, runOptimize);
        uint[] union = SortedReference.OrAll(sources);

        BitmapAssert.Holds(union, RoaringBitmap.Or(bitmaps), $"{dataset} wide Or(span)");
        BitmapAssert.Holds(union, RoaringBitmap.Or(bitmaps.Select(b => b)), $"{dataset} wide Or(lazy IEnumerable)");
        BitmapAssert.Holds(union, RoaringBitmap.Or(bitmaps.ToList()), $"{dataset} wide Or(List)");
        uint[] intersection = SortedReference.AndAll(sources);
        BitmapAssert.Holds(intersection, RoaringBitmap.And(bitmaps), $"{dataset} wide And(all)");
        BitmapAssert.Holds(intersection, RoaringBitmap.And(bitmaps.Select(b => b)), $"{dataset} wide And(lazy IEnumerable)");

        // Intersections over windows of a few successive bitmaps are not empty as often as the all-200 one.
        for (int i = 0; i + 3 <= sources.Length; i += 3)
        {
            BitmapAssert.Holds(SortedReference.AndAll(sources[i..(i + 3)]), RoaringBitmap.And(bitmaps.AsSpan(i, 3)), $"{dataset} And([{i}..{i + 3}))");
            BitmapAssert.Holds(SortedReference.OrAll(sources[i..(i + 3)]), RoaringBitmap.Or(bitmaps.AsSpan(i, 3)), $"{dataset} Or([{i}..{i + 3}))");
        }

        for (int i = 0; i < sources.Length; i++)
        {
            BitmapAssert.SequenceEqual(sources[i], [.. bitmaps[i]], $"{dataset}[{i}] operand after wide operations");
        }
    }

    /// <summary>The documented contract: concurrent reads (and operations) on unchanging bitmaps are safe.</summary>
    [Theory]
    [InlineData("wikileaks-noquotes")]
    [InlineData("census1881_srt")]
    public void PairOperations_FromManyThreadsOnSharedBitmaps_MatchReference(string dataset)
    {
        uint[][] sources = RoaringTestData.Dataset(dataset);
        RoaringBitmap[] bitmaps = Build(sources, runOptimize: true);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4 * (sources.Length - 1), new ParallelOptions { MaxDegreeOfParallelism = 8 }, n =>
        {
            int i = n % (sources.Length - 1);
            RoaringBitmap x = bitmaps[i], y = bitmaps[i + 1];
            (uint[] Expected, RoaringBitmap Actual, string Name) check = (n / (sources.Length - 1)) switch
            {
                0 => (SortedReference.And(sources[i], sources[i + 1]), x & y, "&"),
                1 => (SortedReference.Or(sources[i], sources[i + 1]), x | y, "|"),
                2 => (SortedReference.Xor(sources[i], sources[i + 1]), x ^ y, "^"),
                _ => (SortedReference.AndNot(sources[i], sources[i + 1]), x - y, "-"),
            };
            if (!check.Expected.AsSpan().SequenceEqual(check.Actual.ToArray()) || !x.Contains(sources[i][0]))
            {
                failures.Add($"[{i}] {check.Name} [{i + 1}]");
            }
        });

        Assert.Empty(failures);
    }

    private static RoaringBitmap[] Build(uint[][] sources, bool runOptimize)
    {
        var bitmaps = new RoaringBitmap[sources.Length];
        for (int i = 0; i < sources.Length; i++)
        {
            bitmaps[i] = RoaringBitmap.FromSorted(sources[i]);
            if (runOptimize)
            {
                bitmaps[i].RunOptimize();
            }
        }

        return bitmaps;
    }

    private static void Scramble(RoaringBitmap result, uint[] a, uint[] b)
    {
        foreach (uint[] source in (uint[][])[a, b])
        {
            if (source.Length > 0)
            {
                result.Remove(source[0]);
                result.Add(source[^1] + 1 == 0 ? source[^1] - 1 : source[^1] + 1);
                result.RemoveRange(source[source.Length / 2], (ulong)source[source.Length / 2] + 70_000);
                result.AddRange(source[source.Length / 3], (ulong)source[source.Length / 3] + 5_000);
            }
        }

        result.XorWith(RoaringBitmap.FromSorted(a));
        result.OrWith(RoaringBitmap.FromSorted(b));
        result.RunOptimize();
        result.AndNotWith(RoaringBitmap.FromSorted(a));
    }
}
