using System.Buffers.Binary;
using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>Serialized layout against the independent CRoaring-layout writer (<see cref="SortedReference.Serialize"/>).</summary>
public class RoaringLayoutTests
{
    private static readonly string TestDataDirectory = Path.Combine(AppContext.BaseDirectory, "TestData", "roaring");

    /// <summary>Multiples of 1000 in [0,100000), 3k for k in [100000,200000), all of [700000,800000).</summary>
    private static uint[] ReferenceFileSet()
    {
        var values = new List<uint>();
        for (uint k = 0; k < 100; k++)
        {
            values.Add(k * 1000);
        }

        for (uint k = 100_000; k < 200_000; k++)
        {
            values.Add(3 * k);
        }

        for (uint v = 700_000; v < 800_000; v++)
        {
            values.Add(v);
        }

        return [.. values];
    }

    /// <summary>The oracle itself: the independent layout writer reproduces CRoaring's files byte for byte.</summary>
    [Theory]
    [InlineData("bitmapwithoutruns.bin", false)]
    [InlineData("bitmapwithruns.bin", true)]
    public void ReferenceWriter_DocumentedSet_ReproducesCRoaringFile(string file, bool runOptimize)
    {
        byte[] expected = File.ReadAllBytes(Path.Combine(TestDataDirectory, file));
        RoaringDatasetRoundTripTests.AssertSameBytes(expected, SortedReference.Serialize(ReferenceFileSet(), runOptimize), file + " (reference writer)");
    }

    [Fact]
    public void ReferenceWriter_Empty_IsCookie12346WithZeroContainers() =>
        Assert.Equal([0x3A, 0x30, 0, 0, 0, 0, 0, 0], SortedReference.Serialize([], runOptimized: true));

    /// <summary>
    /// The two cases both public managed ports get wrong: the offset header with run containers (absent below 4
    /// containers, present from 4), and run containers holding more than 4096 values.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(9)]
    public void Serialize_LargeRunContainers_MatchesCRoaringLayoutAndRoundTrips(int containers)
    {
        var values = new List<uint>();
        var bitmap = new RoaringBitmap();
        for (int c = 0; c < containers; c++)
        {
            uint start = ((uint)c * 3 << 16) + 17;
            uint length = 5000 + ((uint)c * 7000);
            bitmap.AddRange(start, (ulong)start + length);
            for (uint v = start; v < start + length; v++)
            {
                values.Add(v);
            }
        }

        bitmap.RunOptimize();
        uint[] expected = [.. values];
        byte[] bytes = bitmap.ToPortableBytes();

        RoaringDatasetRoundTripTests.AssertSameBytes(SortedReference.Serialize(expected, runOptimized: true), bytes, $"{containers} run containers");
        Assert.Equal(12347, BinaryPrimitives.ReadUInt16LittleEndian(bytes));
        Assert.Equal(containers - 1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2)));
        BitmapAssert.Holds(expected, RoaringBitmap.Deserialize(bytes), $"{containers} run containers read back");
    }

    [Fact]
    public void Serialize_EdgeValues_MatchesCRoaringLayout()
    {
        uint[] values = [0, 1, 65535, 65536, 65537, 131071, 2147483648, uint.MaxValue - 1, uint.MaxValue];
        var bitmap = RoaringBitmap.FromSorted(values);
        RoaringDatasetRoundTripTests.AssertSameBytes(SortedReference.Serialize(values, false), bitmap.ToPortableBytes(), "edge values");
        BitmapAssert.Holds(values, RoaringBitmap.Deserialize(bitmap.ToPortableBytes()), "edge values read back");
    }

    [Fact]
    public void Deserialize_FullRange_AllContainersAreFullRuns()
    {
        var bitmap = new RoaringBitmap();
        bitmap.AddRange(0, 1UL << 32);
        bitmap.RunOptimize();
        Assert.Equal(1L << 32, bitmap.Cardinality);
        byte[] bytes = bitmap.ToPortableBytes();
        RoaringBitmap back = RoaringBitmap.Deserialize(bytes);
        Assert.Equal(1L << 32, back.Cardinality);
        Assert.Equal(uint.MaxValue, back.Max);
        Assert.Equal(0u, back.Min);
        Assert.True(back.Contains(123_456_789));
        Assert.Equal(1L << 32, back.Rank(uint.MaxValue));
        Assert.Equal(4_000_000_000u, back.Select(4_000_000_000));
    }

    internal static IEnumerable<byte[]> SmallValidFiles()
    {
        yield return RoaringBitmap.FromSorted([1, 2, 3, 70000]).ToPortableBytes();
        var runs = new RoaringBitmap();
        runs.AddRange(10, 5000);
        runs.AddRange(1 << 16, (1 << 16) + 10);
        runs.RunOptimize();
        yield return runs.ToPortableBytes();
        var manyRuns = new RoaringBitmap();
        for (uint k = 0; k < 5; k++)
        {
            manyRuns.AddRange(k << 16, (k << 16) + 100);
        }

        manyRuns.RunOptimize();
        yield return manyRuns.ToPortableBytes();
        uint[] bitsetValues = [.. Enumerable.Range(0, 5000).Select(i => (uint)i * 3)];
        yield return RoaringBitmap.FromSorted(bitsetValues).ToPortableBytes();
    }
}
