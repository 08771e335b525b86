using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Bitmaps.Containers;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>
/// RunContainer.Contains tests up to 8 runs at once (a window found by a branchless narrowing when there are more),
/// on padded run arrays; these check every 16-bit value against a plain membership table.
/// </summary>
public class RunContainerContainsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    [InlineData(300)]
    public void Contains_EveryValue_MatchesTheRuns(int runCount)
    {
        var random = new Random(runCount);
        for (int round = 0; round < 4; round++)
        {
            ushort[] runs = RandomRuns(random, runCount, touchEdges: round % 2 == 0);
            bool[] member = Members(runs);

            // Exact length (no padding: the scalar search), padded with zeros (as RunOptimize and the portable
            // format build them), and padded with stale runs past the count (as a removal leaves them).
            ushort[] stale = [.. runs, .. RandomRuns(random, 8, touchEdges: true)];
            ushort[] zeros = [.. runs, .. new ushort[Math.Max(0, RunContainer.PaddedLength - runs.Length)]];
            foreach (ushort[] storage in (ushort[][])[runs, zeros, stale])
            {
                var container = new RunContainer(storage, runCount);
                for (int v = 0; v <= ushort.MaxValue; v++)
                {
                    if (container.Contains((ushort)v) != member[v])
                    {
                        Assert.Fail($"{runCount} runs, storage length {storage.Length}: Contains({v}) should be {member[v]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Contains_RunBitmapsAtTheEdges_AfterRunOptimizeAndARoundTrip()
    {
        // Runs touching 0, 65535 | 65536, and uint.MaxValue, in keys holding 1, 8 and 9 runs.
        var values = new List<uint>();
        values.AddRange([0, 1, 2, 65533, 65534, 65535, 65536, 65537, 65538]);
        for (uint k = 0; k < 8; k++)
        {
            values.AddRange([(3u << 16) + (k * 100), (3u << 16) + (k * 100) + 1, (3u << 16) + (k * 100) + 2]);
        }

        for (uint k = 0; k < 9; k++)
        {
            values.AddRange([(4u << 16) + (k * 100), (4u << 16) + (k * 100) + 1, (4u << 16) + (k * 100) + 2]);
        }

        values.AddRange([uint.MaxValue - 2, uint.MaxValue - 1, uint.MaxValue]);
        values.Sort();
        var bitmap = RoaringBitmap.FromSorted([.. values]);
        Assert.True(bitmap.RunOptimize());
        var stream = new MemoryStream();
        bitmap.Serialize(stream);
        var back = RoaringBitmap.Deserialize(stream.ToArray());

        var set = values.ToHashSet();
        uint[] probes = [0, 1, 2, 3, 65532, 65533, 65535, 65536, 65538, 65539, 131071, 131072, (3u << 16) + 699, (3u << 16) + 700,
            (3u << 16) + 702, (3u << 16) + 703, (4u << 16) + 800, (4u << 16) + 802, (4u << 16) + 803, (4u << 16) + 799,
            uint.MaxValue - 3, uint.MaxValue - 2, uint.MaxValue];
        foreach (RoaringBitmap b in (RoaringBitmap[])[bitmap, back])
        {
            foreach (uint probe in probes)
            {
                Assert.True(set.Contains(probe) == b.Contains(probe), $"Contains({probe})");
            }

            foreach (uint v in values)
            {
                Assert.True(b.Contains(v), $"Contains({v})");
            }
        }
    }

    /// <summary>runCount sorted, non-adjacent runs as (start, length - 1) pairs.</summary>
    private static ushort[] RandomRuns(Random random, int runCount, bool touchEdges)
    {
        // Cut [0, 65536) into 2 * runCount slots; each run sits in one slot followed by a gap slot.
        int slot = 65536 / (2 * runCount);
        var runs = new ushort[2 * runCount];
        for (int i = 0; i < runCount; i++)
        {
            int slotStart = 2 * i * slot;
            int start = slotStart + random.Next(0, slot / 2);
            int last = start + random.Next(0, slot / 2);
            if (touchEdges && i == 0)
            {
                start = 0;
            }

            if (touchEdges && i == runCount - 1)
            {
                last = ushort.MaxValue;
            }

            runs[2 * i] = (ushort)start;
            runs[(2 * i) + 1] = (ushort)(last - start);
        }

        return runs;
    }

    private static bool[] Members(ushort[] runs)
    {
        var member = new bool[65536];
        for (int i = 0; i < runs.Length; i += 2)
        {
            for (int v = runs[i]; v <= runs[i] + runs[i + 1]; v++)
            {
                member[v] = true;
            }
        }

        return member;
    }
}
