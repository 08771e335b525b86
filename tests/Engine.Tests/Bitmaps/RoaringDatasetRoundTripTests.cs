using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>Every bitmap of every small real dataset, built, serialized and read back, holds exactly its source array.</summary>
public class RoaringDatasetRoundTripTests
{
    public static TheoryData<string> Datasets => RoaringTestData.SmallDatasetNames;

    [Theory]
    [MemberData(nameof(Datasets))]
    public void FromSorted_EveryBitmap_HoldsSourceArray(string dataset)
    {
        uint[][] bitmaps = RoaringTestData.Dataset(dataset);
        for (int i = 0; i < bitmaps.Length; i++)
        {
            BitmapAssert.Holds(bitmaps[i], RoaringBitmap.FromSorted(bitmaps[i]), $"{dataset}[{i}]");
        }
    }

    [Theory]
    [MemberData(nameof(Datasets))]
    public void AddOneByOneAndAddMany_EveryBitmap_EqualFromSorted(string dataset)
    {
        uint[][] bitmaps = RoaringTestData.Dataset(dataset);
        for (int i = 0; i < bitmaps.Length; i++)
        {
            var single = new RoaringBitmap();
            foreach (uint v in bitmaps[i])
            {
                single.Add(v);
            }

            var many = new RoaringBitmap();
            int half = bitmaps[i].Length / 2;
            many.AddMany(bitmaps[i].AsSpan(0, half));
            many.AddMany(bitmaps[i].AsSpan(half));
            var fromSorted = RoaringBitmap.FromSorted(bitmaps[i]);

            Assert.True(fromSorted.Equals(single), $"{dataset}[{i}]: Add one by one differs from FromSorted");
            Assert.True(fromSorted.Equals(many), $"{dataset}[{i}]: AddMany differs from FromSorted");
            Assert.Equal(fromSorted.GetHashCode(), single.GetHashCode());
            Assert.Equal(fromSorted.GetHashCode(), many.GetHashCode());
        }
    }

    [Theory]
    [MemberData(nameof(Datasets))]
    public void SerializeDeserialize_EveryBitmap_RoundTripsWithAndWithoutRunOptimize(string dataset)
    {
        uint[][] bitmaps = RoaringTestData.Dataset(dataset);
        for (int i = 0; i < bitmaps.Length; i++)
        {
            foreach (bool runOptimize in (bool[])[false, true])
            {
                string context = $"{dataset}[{i}] runOptimize={runOptimize}";
                var bitmap = RoaringBitmap.FromSorted(bitmaps[i]);
                if (runOptimize)
                {
                    bitmap.RunOptimize();
                    BitmapAssert.Holds(bitmaps[i], bitmap, context + " after RunOptimize");
                }

                byte[] bytes = bitmap.ToPortableBytes();
                RoaringBitmap fromSpan = RoaringBitmap.Deserialize(bytes);
                BitmapAssert.Holds(bitmaps[i], fromSpan, context + " Deserialize(span)");
                Assert.True(bitmap.Equals(fromSpan), context);
                Assert.Equal(bitmap.GetHashCode(), fromSpan.GetHashCode());

                using var stream = new MemoryStream(bytes);
                RoaringBitmap fromStream = RoaringBitmap.Deserialize(stream);
                Assert.True(bitmap.Equals(fromStream), context + " Deserialize(stream)");
                Assert.Equal(bytes.Length, stream.Position);

                Assert.True(bytes.AsSpan().SequenceEqual(fromSpan.ToPortableBytes()), context + ": re-serialization differs");
            }
        }
    }

    /// <summary>Byte-for-byte what CRoaring writes for the same set (independent reference writer).</summary>
    [Theory]
    [MemberData(nameof(Datasets))]
    public void Serialize_EveryBitmap_IsByteIdenticalToCRoaringLayout(string dataset)
    {
        uint[][] bitmaps = RoaringTestData.Dataset(dataset);
        for (int i = 0; i < bitmaps.Length; i++)
        {
            var bitmap = RoaringBitmap.FromSorted(bitmaps[i]);
            AssertSameBytes(SortedReference.Serialize(bitmaps[i], runOptimized: false), bitmap.ToPortableBytes(), $"{dataset}[{i}]");
            bitmap.RunOptimize();
            AssertSameBytes(SortedReference.Serialize(bitmaps[i], runOptimized: true), bitmap.ToPortableBytes(), $"{dataset}[{i}] run-optimized");
        }
    }

    /// <summary>The bits/value column of the CRoaring reference table (shared/roaring/README.md).</summary>
    [Theory]
    [InlineData("census1881", 15.08)]
    [InlineData("census1881_srt", 2.16)]
    [InlineData("uscensus2000", 41.85)]
    [InlineData("wikileaks-noquotes", 5.89)]
    [InlineData("wikileaks-noquotes_srt", 1.63)]
    public void SerializedSize_RunOptimized_MatchesCRoaringBitsPerValue(string dataset, double expectedBitsPerValue)
    {
        long bytes = 0, values = 0;
        foreach (uint[] source in RoaringTestData.Dataset(dataset))
        {
            var bitmap = RoaringBitmap.FromSorted(source);
            bitmap.RunOptimize();
            bytes += bitmap.SerializedSizeInBytes();
            values += source.Length;
        }

        Assert.Equal(expectedBitsPerValue, Math.Round(bytes * 8.0 / values, 2));
    }

    internal static void AssertSameBytes(byte[] expected, byte[] actual, string context)
    {
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return;
        }

        int i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i])
        {
            i++;
        }

        Assert.Fail($"{context}: serialized {actual.Length} bytes, CRoaring layout has {expected.Length}; first difference at byte {i}");
    }
}
