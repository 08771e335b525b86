using Onboarding.Engine.Bitmaps;
using Onboarding.Testing.Fuzzing;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>
/// A seeded mutation campaign on valid serialized bitmaps (<see cref="RoaringFuzzer"/>): Deserialize either returns a
/// self-consistent bitmap or throws <see cref="InvalidRoaringFormatException"/>; never another exception, never a hang.
/// The bench tool's <c>fuzz roaring</c> runs the same campaign for longer.
/// </summary>
public class RoaringDeserializeMutationTests
{
    private const int Cases = 4000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData(20261123)]
    [InlineData(7)]
    [InlineData(8)]
    public void Deserialize_MutatedValidBytes_ReturnsConsistentBitmapOrThrowsInvalidFormat(int seed)
    {
        byte[][] seeds = [.. SeedFiles(), .. RoaringFuzzer.GeneratedSeeds()];
        long index = 0;

        FuzzReport report = FuzzCampaign.Run("roaring", seed, Cases, Budget, random => RoaringFuzzer.Mutate(random, seeds),
            bytes => RoaringFuzzer.Check(bytes, useStream: (Interlocked.Increment(ref index) & 1) == 1));

        Assert.True(report.Hang is null, $"{report}: {report.Hang}");
        Assert.True(report.Failures.Count == 0, $"{report}:\n" + string.Join("\n", report.Failures));
        Assert.True(report.Rejected > Cases / 10, $"only {report.Rejected} of {Cases} mutated inputs were rejected");
    }

    private static IEnumerable<byte[]> SeedFiles()
    {
        foreach (byte[] valid in RoaringLayoutTests.SmallValidFiles())
        {
            yield return valid;
        }

        // Small real bitmaps, as stored (arrays/bitsets) and run-optimized.
        uint[][] census = RoaringTestData.Dataset("census1881_srt");
        foreach (int i in (int[])[3, 50, 120])
        {
            var bitmap = RoaringBitmap.FromSorted(census[i]);
            if (bitmap.SerializedSizeInBytes() < 40_000)
            {
                yield return bitmap.ToPortableBytes();
            }

            bitmap.RunOptimize();
            yield return bitmap.ToPortableBytes();
        }

        // Mixed: array, bitset and run containers in one bitmap, with and without the offset header.
        var mixed = RoaringBitmap.FromSorted([1, 5, 9, 65536 + 3]);
        mixed.AddRange(2 << 16, (2 << 16) + 300);
        mixed.AddMany([.. Enumerable.Range(0, 5000).Select(i => (3u << 16) + ((uint)i * 7))]);
        mixed.RunOptimize();
        yield return mixed.ToPortableBytes();
        var three = RoaringBitmap.FromSorted([7, 65536 + 7]);
        three.AddRange(5 << 16, (5 << 16) + 9000);
        three.RunOptimize();
        yield return three.ToPortableBytes();
    }
}
