using FsCheck.Xunit;
using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>
/// <see cref="BitmapExpression"/> (key-at-a-time evaluation with scratch bitsets) against a sorted-array model:
/// random expression trees, with shared sub-expressions and the same bitmap in several places, over generated sets
/// that mix array, bitset, run and full containers in the same keys.
/// </summary>
public class BitmapExpressionTests
{
    [Property(Arbitrary = [typeof(RoaringArbitraries)], MaxTest = 150)]
    public void Evaluate_RandomTreesOverGeneratedSets_MatchModel(ValueSet s1, ValueSet s2, ValueSet s3, ValueSet s4, int seed)
    {
        uint[][] sets = [s1.Values, s2.Values, s3.Values, s4.Values];
        RoaringBitmap[] bitmaps = [.. sets.Select((s, i) => Build(s, runOptimize: i % 2 == 0))];
        AssertTreesMatchModel(new Random(seed), sets, bitmaps, trees: 4);
    }

    /// <summary>
    /// Many keys where every operand has a container, of every kind (sparse and 4096-boundary arrays, dense
    /// bitsets, runs, full), so that every per-key path runs: bitset chains in scratch, arrays against scratch
    /// bitsets, runs excluded from bitsets, small unions of arrays, results emptied mid-chain.
    /// </summary>
    [Fact]
    public void Evaluate_ManyKeysOfMixedContainers_MatchModel()
    {
        for (int seed = 0; seed < 6; seed++)
        {
            var random = new Random(seed);
            uint[][] sets = [.. Enumerable.Range(0, 6).Select(_ => MixedKeys(random, keys: 80))];
            RoaringBitmap[] bitmaps = [.. sets.Select((s, i) => Build(s, runOptimize: i % 3 != 0))];
            AssertTreesMatchModel(random, sets, bitmaps, trees: 8);
        }
    }

    [Fact]
    public void Evaluate_SingleOperandAndEmptyUnion_AreACopyAndTheEmptySet()
    {
        RoaringBitmap bitmap = RoaringBitmap.FromSorted([1, 2, 70_000]);

        RoaringBitmap copy = BitmapExpression.Of(bitmap).Evaluate();
        copy.Add(5);

        Assert.Equal([1u, 2, 70_000], bitmap.ToArray());
        Assert.Equal(3, BitmapExpression.Of(bitmap).Count());
        Assert.True(BitmapExpression.Or([]).Evaluate().IsEmpty);
        Assert.Equal(0, BitmapExpression.Or([]).Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => BitmapExpression.And([]));
    }

    private static void AssertTreesMatchModel(Random random, uint[][] sets, RoaringBitmap[] bitmaps, int trees)
    {
        BitmapExpression[] leaves = [.. bitmaps.Select(BitmapExpression.Of)];
        var shared = new List<(BitmapExpression Expression, uint[] Model)>();
        for (int t = 0; t < trees; t++)
        {
            (BitmapExpression expression, uint[] expected) = RandomTree(random, depth: 4, leaves, sets, shared);
            string context = $"tree {t}";
            Assert.Equal(expected.Length, expression.Count());
            BitmapAssert.Holds(expected, expression.Evaluate(), context, samples: 16);
        }

        for (int i = 0; i < sets.Length; i++)
        {
            BitmapAssert.SequenceEqual(sets[i], [.. bitmaps[i]], $"operand {i} unchanged");
        }
    }

    private static (BitmapExpression, uint[]) RandomTree(
        Random random, int depth, BitmapExpression[] leaves, uint[][] sets, List<(BitmapExpression, uint[])> shared)
    {
        if (depth == 0 || random.Next(4) == 0)
        {
            if (shared.Count > 0 && random.Next(4) == 0)
            {
                return shared[random.Next(shared.Count)];
            }

            int pick = random.Next(leaves.Length);
            return (leaves[pick], sets[pick]);
        }

        (BitmapExpression, uint[])[] operands = [.. Enumerable.Range(0, random.Next(1, 5)).Select(_ => RandomTree(random, depth - 1, leaves, sets, shared))];
        (BitmapExpression, uint[]) node;
        if (random.Next(2) == 0)
        {
            node = (BitmapExpression.Or([.. operands.Select(o => o.Item1)]), SortedReference.OrAll([.. operands.Select(o => o.Item2)]));
        }
        else
        {
            int included = random.Next(1, operands.Length + 1);
            uint[] model = SortedReference.AndAll([.. operands[..included].Select(o => o.Item2)]);
            foreach ((BitmapExpression _, uint[] excluded) in operands[included..])
            {
                model = SortedReference.AndNot(model, excluded);
            }

            node = (BitmapExpression.And([.. operands[..included].Select(o => o.Item1)], [.. operands[included..].Select(o => o.Item1)]), model);
        }

        shared.Add(node);
        return node;
    }

    /// <summary>Values in <paramref name="keys"/> consecutive keys, each block of a random container shape.</summary>
    private static uint[] MixedKeys(Random random, int keys)
    {
        var values = new List<uint>();
        for (uint key = 0; key < keys; key++)
        {
            uint high = key << 16;
            switch (random.Next(7))
            {
                case 0:
                    break;
                case 1:
                    values.AddRange(Sample(random, 30).Select(v => high | v));
                    break;
                case 2:
                    values.AddRange(Sample(random, random.Next(4000, 4200)).Select(v => high | v));
                    break;
                case 3:
                case 4:
                    values.AddRange(Sample(random, random.Next(10_000, 50_000)).Select(v => high | v));
                    break;
                case 5:
                    int start = random.Next(60_000);
                    values.AddRange(Enumerable.Range(start, random.Next(1, 65_536 - start)).Select(v => high | (uint)v));
                    break;
                default:
                    values.AddRange(Enumerable.Range(0, 65_536).Select(v => high | (uint)v));
                    break;
            }
        }

        return [.. values];
    }

    private static IEnumerable<uint> Sample(Random random, int count)
    {
        var chosen = new HashSet<uint>();
        while (chosen.Count < count)
        {
            chosen.Add((uint)random.Next(65_536));
        }

        return chosen.Order();
    }

    private static RoaringBitmap Build(uint[] values, bool runOptimize)
    {
        RoaringBitmap bitmap = RoaringBitmap.FromSorted(values);
        if (runOptimize)
        {
            bitmap.RunOptimize();
        }

        return bitmap;
    }
}
