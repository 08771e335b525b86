using FsCheck.Xunit;
using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>
/// Property tests against a sorted-array model, on generated sets that cross container-type boundaries. A failure
/// prints the FsCheck seed (paste it into <c>Replay</c>) and the shrunk case.
/// </summary>
public class RoaringModelPropertyTests
{
    [Property(Arbitrary = [typeof(RoaringArbitraries)], MaxTest = 300)]
    public void FromSorted_AnySet_MatchesModel(ValueSet set, bool runOptimize)
    {
        RoaringBitmap bitmap = Build(set, runOptimize);
        BitmapAssert.Holds(set.Values, bitmap, "FromSorted", samples: 256);
        for (int i = 0; i < set.Values.Length; i += Math.Max(1, set.Values.Length / 64))
        {
            Assert.Equal(set.Values[i], bitmap.Select(i));
        }
    }

    [Property(Arbitrary = [typeof(RoaringArbitraries)], MaxTest = 300)]
    public void SerializeDeserialize_AnySet_IsCRoaringLayoutAndRoundTrips(ValueSet set, bool runOptimize)
    {
        RoaringBitmap bitmap = Build(set, runOptimize);
        byte[] bytes = bitmap.ToPortableBytes();

        RoaringDatasetRoundTripTests.AssertSameBytes(SortedReference.Serialize(set.Values, runOptimize), bytes, "serialized");
        RoaringBitmap back = RoaringBitmap.Deserialize(bytes);
        BitmapAssert.Holds(set.Values, back, "deserialized", samples: 32);
        Assert.True(bitmap.Equals(back));
        using var stream = new MemoryStream([.. bytes, 0xEE, 0xEE]);
        Assert.True(bitmap.Equals(RoaringBitmap.Deserialize(stream)));
        Assert.Equal(bytes.Length, stream.Position);
    }

    [Property(Arbitrary = [typeof(RoaringArbitraries)], MaxTest = 300)]
    public void PairOperations_AnySets_MatchModel(ValueSet left, ValueSet right, bool optimizeLeft, bool optimizeRight)
    {
        uint[] a = left.Values, b = right.Values;
        RoaringBitmap x = Build(left, optimizeLeft), y = Build(right, optimizeRight);
        uint[] and = SortedReference.And(a, b), or = SortedReference.Or(a, b);
        uint[] xor = SortedReference.Xor(a, b), andNot = SortedReference.AndNot(a, b);

        BitmapAssert.Holds(and, x & y, "&", samples: 16);
        BitmapAssert.Holds(or, x | y, "|", samples: 16);
        BitmapAssert.Holds(xor, x ^ y, "^", samples: 16);
        BitmapAssert.Holds(andNot, x - y, "-", samples: 16);
        Assert.Equal(and.Length, x.AndCardinality(y));
        Assert.Equal(or.Length, x.OrCardinality(y));
        Assert.Equal(andNot.Length, x.AndNotCardinality(y));
        Assert.Equal(xor.Length, x.XorCardinality(y));
        Assert.Equal(and.Length > 0, x.Intersects(y));

        foreach ((string name, Action<RoaringBitmap> op, uint[] expected) in
                 (ValueTuple<string, Action<RoaringBitmap>, uint[]>[])[
                     ("AndWith", r => r.AndWith(y), and), ("OrWith", r => r.OrWith(y), or),
                     ("XorWith", r => r.XorWith(y), xor), ("AndNotWith", r => r.AndNotWith(y), andNot)])
        {
            RoaringBitmap target = x.Clone();
            op(target);
            BitmapAssert.Holds(expected, target, name, samples: 16);
        }

        RoaringBitmap self = x.Clone();
        self.AndWith(self);
        BitmapAssert.Holds(a, self, "x &= x", samples: 16);
        self.OrWith(self);
        BitmapAssert.Holds(a, self, "x |= x", samples: 16);
        self.XorWith(self);
        Assert.True(self.IsEmpty, "x ^= x");

        BitmapAssert.SequenceEqual(a, [.. x], "left operand unchanged");
        BitmapAssert.SequenceEqual(b, [.. y], "right operand unchanged");
    }

    [Property(Arbitrary = [typeof(RoaringArbitraries)], MaxTest = 100)]
    public void WideOperations_AnySets_MatchModel(ValueSet s1, ValueSet s2, ValueSet s3, ValueSet s4)
    {
        ValueSet[] sets = [s1, s2, s3, s4];
        RoaringBitmap[] bitmaps = [.. sets.Select((s, i) => Build(s, i % 2 == 1))];
        uint[][] arrays = [.. sets.Select(s => s.Values)];

        BitmapAssert.Holds(SortedReference.OrAll(arrays), RoaringBitmap.Or(bitmaps), "wide Or", samples: 16);
        BitmapAssert.Holds(SortedReference.AndAll(arrays), RoaringBitmap.And(bitmaps), "wide And", samples: 16);
        BitmapAssert.Holds(SortedReference.AndAll(arrays[..2]), RoaringBitmap.And(bitmaps.AsSpan(0, 2)), "wide And of 2", samples: 16);
        BitmapAssert.Holds(s1.Values, RoaringBitmap.Or(bitmaps.AsSpan(0, 1)), "wide Or of 1", samples: 16);
        Assert.True(RoaringBitmap.Or(ReadOnlySpan<RoaringBitmap>.Empty).IsEmpty);
    }

    [Property(Arbitrary = [typeof(RoaringArbitraries)], MaxTest = 200)]
    public void Mutations_AnyScript_MatchModel(MutationScript script)
    {
        uint[] model = script.Initial.Values;
        RoaringBitmap bitmap = RoaringBitmap.FromSorted(model);
        int step = 0;
        foreach (Mutation m in script.Mutations)
        {
            step++;
            switch (m.Kind)
            {
                case MutationKind.Add:
                    bitmap.Add(m.Start);
                    model = SortedReference.Or(model, [m.Start]);
                    break;
                case MutationKind.Remove:
                    bitmap.Remove(m.Start);
                    model = SortedReference.AndNot(model, [m.Start]);
                    break;
                case MutationKind.AddRange:
                    bitmap.AddRange(m.Start, m.End);
                    model = SortedReference.Or(model, Range(m.Start, m.End));
                    break;
                case MutationKind.RemoveRange:
                    bitmap.RemoveRange(m.Start, m.End);
                    model = SortedReference.AndNot(model, Range(m.Start, m.End));
                    break;
                case MutationKind.AddMany:
                    bitmap.AddMany(m.Batch);
                    model = SortedReference.Or(model, m.Batch);
                    break;
                case MutationKind.RunOptimize:
                    bitmap.RunOptimize();
                    break;
            }

            Assert.True(model.Length == bitmap.Cardinality, $"after step {step} ({m}): Cardinality {bitmap.Cardinality}, expected {model.Length}");
        }

        BitmapAssert.Holds(model, bitmap, "after mutations", samples: 128);

        // Equal content built differently must be Equal, whatever the container kinds.
        RoaringBitmap rebuilt = RoaringBitmap.FromSorted(model);
        Assert.True(rebuilt.Equals(bitmap), "Equals(FromSorted(model))");
        Assert.Equal(rebuilt.GetHashCode(), bitmap.GetHashCode());

        RoaringBitmap back = RoaringBitmap.Deserialize(bitmap.ToPortableBytes());
        BitmapAssert.Holds(model, back, "mutated, serialized, read back", samples: 32);

        // After RunOptimize every container has its smallest form: the size is CRoaring's, up to the array/run tie
        // (2·runs == cardinality), where CRoaring keeps whichever kind the container already had.
        bitmap.RunOptimize();
        BitmapAssert.Holds(model, bitmap, "after final RunOptimize", samples: 32);
        long size = bitmap.SerializedSizeInBytes();
        long arrayOnTie = SortedReference.Serialize(model, runOptimized: true).Length;
        long runOnTie = SortedReference.Serialize(model, runOptimized: true, preferRunOnTie: true).Length;
        Assert.True(size == arrayOnTie || size == runOnTie, $"run-optimized size {size}, CRoaring's is {arrayOnTie} (or {runOnTie})");
        Assert.True(RoaringBitmap.Deserialize(bitmap.ToPortableBytes()).Equals(rebuilt));
    }

    [Property(Arbitrary = [typeof(RoaringArbitraries)], MaxTest = 200)]
    public void RankSelect_AnySet_AreInverse(ValueSet set, bool runOptimize, int index, short delta)
    {
        RoaringBitmap bitmap = Build(set, runOptimize);
        uint[] v = set.Values;

        // Probes next to a member (delta −32768..32767 reaches the neighbouring containers) and at the edges.
        long near = v.Length == 0 ? delta : v[(int)((uint)index % (uint)v.Length)] + (long)delta;
        foreach (uint probe in (uint[])[(uint)Math.Clamp(near, 0, uint.MaxValue), 0, 65535, 65536, uint.MaxValue])
        {
            Assert.Equal(SortedReference.Rank(v, probe), bitmap.Rank(probe));
            Assert.Equal(Array.BinarySearch(v, probe) >= 0, bitmap.Contains(probe));
        }

        for (int i = 0; i < v.Length; i += Math.Max(1, v.Length / 50))
        {
            Assert.Equal(v[i], bitmap.Select(i));
            Assert.Equal(i + 1, bitmap.Rank(bitmap.Select(i)));
        }
    }

    private static RoaringBitmap Build(ValueSet set, bool runOptimize)
    {
        RoaringBitmap bitmap = RoaringBitmap.FromSorted(set.Values);
        if (runOptimize)
        {
            bitmap.RunOptimize();
        }

        return bitmap;
    }

    private static uint[] Range(uint start, ulong end)
    {
        var values = new uint[end > start ? (int)(end - start) : 0];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = start + (uint)i;
        }

        return values;
    }
}
