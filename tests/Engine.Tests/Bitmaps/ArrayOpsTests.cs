using System.Numerics;
using System.Runtime.Intrinsics;
using Onboarding.Engine.Bitmaps.Internal;

namespace Onboarding.Engine.Tests.Bitmaps;

public class ArrayOpsTests
{
    private static ushort[] RandomSorted(Random random, int count, int range) =>
        [.. Enumerable.Range(0, count).Select(_ => (ushort)random.Next(range)).Distinct().Order()];

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 0, 10, 100 },
        { 7, 9, 20 },
        { 8, 8, 16 },
        { 100, 100, 300 },
        { 600, 600, 65536 },
        { 3000, 3000, 8000 },
        { 5, 4000, 65536 },
        { 4000, 40, 65536 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SetKernels_RandomSortedArrays_MatchLinq(int countA, int countB, int range)
    {
        var random = new Random(countA * 31 + countB);
        for (int round = 0; round < 50; round++)
        {
            ushort[] a = RandomSorted(random, countA, range), b = RandomSorted(random, countB, range);
            var dst = new ushort[a.Length + b.Length];

            ushort[] and = [.. a.Intersect(b)];
            Assert.Equal(and, dst[..ArrayOps.Intersect(a, b, dst)]);
            Assert.Equal(and.Length, ArrayOps.IntersectCount(a, b));
            Assert.Equal(a.Union(b).Order(), dst[..ArrayOps.Union(a, b, dst)]);
            Assert.Equal(a.Except(b), dst[..ArrayOps.Difference(a, b, dst)]);
            Assert.Equal(a.Except(b).Union(b.Except(a)).Order(), dst[..ArrayOps.Xor(a, b, dst)]);
        }
    }

    [Fact]
    public void LowerBound_EveryValue_MatchesLinearScan()
    {
        ushort[] values = RandomSorted(new Random(1), 500, 5000);
        for (int v = 0; v <= ushort.MaxValue; v += 3)
        {
            int expected = Array.FindIndex(values, x => x >= v);
            Assert.Equal(expected < 0 ? values.Length : expected, ArrayOps.LowerBound(values, (ushort)v));
        }
    }
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(100)]
    [InlineData(4096)]
    public void IndexOf_EveryValue_MatchesLinearScan(int count)
    {
        ushort[] values = RandomSorted(new Random(count), count, count * 3 + 10);
        for (int v = 0; v <= ushort.MaxValue; v += count >= 1000 ? 1 : 7)
        {
            Assert.Equal(Array.IndexOf(values, (ushort)v), ArrayOps.IndexOf(values, (ushort)v));
        }

        foreach (ushort v in values)
        {
            Assert.Equal(Array.IndexOf(values, v), ArrayOps.IndexOf(values, v));
        }
    }

    [Fact]
    public void Union_InterleavedAndOverlappingBlocks_MatchesLinq()
    {
        var random = new Random(7);
        for (int round = 0; round < 2000; round++)
        {
            int range = random.Next(16, 400);
            ushort[] a = RandomSorted(random, random.Next(0, 120), range), b = RandomSorted(random, random.Next(0, 120), range);
            var dst = new ushort[a.Length + b.Length];
            Assert.Equal(a.Union(b).Order(), dst[..ArrayOps.Union(a, b, dst)]);
        }
    }

    [Fact]
    public void SmallMatches_PaddedArray_IgnoresTheElementsPastTheLength()
    {
        // What lies past the length (left over from a removal, or zero padding) must never be found.
        ushort[] padded = [3, 9, 40, 41, 500, 6000, 65534, 65535, 0, 0];
        for (int length = 0; length <= ArrayOps.PaddedLength; length++)
        {
            Assert.Equal(Vector128.IsHardwareAccelerated, ArrayOps.IsSmall(padded, length));
            if (!ArrayOps.IsSmall(padded, length))
            {
                continue;
            }

            foreach (ushort v in (ushort[])[0, 1, 3, 9, 40, 41, 500, 6000, 65534, 65535])
            {
                int expected = Array.IndexOf(padded, v, 0, length);
                uint mask = ArrayOps.SmallMatches(padded, length, v);
                Assert.True(expected == (mask == 0 ? -1 : BitOperations.TrailingZeroCount(mask)), $"length {length}, value {v}");
            }
        }

        Assert.False(ArrayOps.IsSmall(padded, ArrayOps.PaddedLength + 1));
        Assert.False(ArrayOps.IsSmall([1, 2, 3], 3));
    }
}
