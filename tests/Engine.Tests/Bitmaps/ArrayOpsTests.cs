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
}
