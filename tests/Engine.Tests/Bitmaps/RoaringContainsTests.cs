using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>
/// Contains compares up to 8 keys, and the values of tiny arrays, with one vector compare over padded storage, and
/// tests up to 16 runs at once with a masked load; these check that what lies past the size (zero padding, keys,
/// values and runs left by removals) is never found.
/// </summary>
public class RoaringContainsTests
{
    private static readonly uint[] Edges = [0, 1, 65534, 65535, 65536, 65537, 131071, 131072, uint.MaxValue - 65536, uint.MaxValue - 1, uint.MaxValue];

    [Fact]
    public void Contains_AfterRemovingWholeContainers_DoesNotFindTheirKeysOrValues()
    {
        // Keys 0, 1, 2, ..., 32 and 65535 (34 keys: over the small path), then down to 1 key (the small path), with
        // the removed keys left behind in the key storage.
        var values = new List<uint>();
        for (uint key = 0; key < 33; key++)
        {
            values.AddRange([key << 16, (key << 16) | 7, (key << 16) | 65535]);
        }

        values.AddRange([uint.MaxValue - 1, uint.MaxValue]);
        var bitmap = RoaringBitmap.FromSorted([.. values]);
        var model = new SortedSet<uint>(values);
        foreach (uint v in values.Where(v => v >> 16 != 3).ToList())
        {
            Assert.True(bitmap.Remove(v));
            model.Remove(v);
            foreach (uint probe in values.Concat(Edges))
            {
                Assert.True(model.Contains(probe) == bitmap.Contains(probe), $"after removing {v}: Contains({probe})");
            }
        }

        Assert.Equal(new uint[] { 3u << 16, (3u << 16) | 7, (3u << 16) | 65535 }, bitmap.ToArray());
    }

    [Fact]
    public void Contains_BitmapsBuiltEveryWay_AgreeWithTheirValues()
    {
        // Unpadded storage (Add grows arrays from 4 elements), padded (FromSorted, Deserialize), and every container
        // kind, at both sides of the 8-key vector compare and of the 16- and 32-key vector windows of the search.
        foreach (int keys in (int[])[1, 8, 9, 31, 32, 33, 40])
        {
            var values = new List<uint>();
            for (uint key = 0; key < keys; key++)
            {
                uint high = key == keys - 1 ? 65535u : key * 3;
                uint kind = key % 3;
                IEnumerable<uint> lows = kind == 0 ? [0, 65535] : kind == 1 ? Enumerable.Range(100, 200).Select(i => (uint)i) : Enumerable.Range(0, 5000).Select(i => (uint)i * 13);
                values.AddRange(lows.Where(l => l <= 65535).Select(l => (high << 16) | l));
            }

            values.Sort();
            var added = new RoaringBitmap();
            foreach (uint v in values)
            {
                added.Add(v);
            }

            var sorted = RoaringBitmap.FromSorted([.. values]);
            sorted.RunOptimize();
            var stream = new MemoryStream();
            sorted.Serialize(stream);
            var read = RoaringBitmap.Deserialize(stream.ToArray());
            var set = values.ToHashSet();
            foreach (RoaringBitmap bitmap in (RoaringBitmap[])[added, sorted, read])
            {
                foreach (uint v in values)
                {
                    Assert.True(bitmap.Contains(v), $"{keys} keys: Contains({v})");
                    Assert.True(set.Contains(v + 1) == bitmap.Contains(v + 1), $"{keys} keys: Contains({v + 1})");
                }

                foreach (uint probe in Edges)
                {
                    Assert.True(set.Contains(probe) == bitmap.Contains(probe), $"{keys} keys: Contains({probe})");
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(100)]
    [InlineData(2000)]
    public void Contains_RunContainers_AgreeWithTheirValuesAtEveryLowValue(int runs)
    {
        // Runs of random lengths and gaps from 0 or just after it (65535 has its own test below); every one of the
        // 65536 values of the container is asked, so each window the search can narrow to (and its last, partly
        // filled vector) is met.
        var random = new Random(runs);
        var values = new List<uint>();
        uint high = 7u << 16;
        int position = runs % 2 == 0 ? 0 : random.Next(1, 4);
        int gapLimit = Math.Max(2, (65536 / runs) - 3);
        for (int run = 0; run < runs && position < 65536; run++)
        {
            int length = random.Next(1, Math.Max(2, gapLimit / 2));
            for (int low = position; low < Math.Min(65536, position + length); low++)
            {
                values.Add(high | (uint)low);
            }

            position += length + random.Next(1, gapLimit / 2 + 1);
        }

        var bitmap = RoaringBitmap.FromSorted([.. values]);
        bitmap.RunOptimize();
        Assert.True(bitmap.HasRuns, $"{runs} runs: expected a run container");
        AssertAgreesEverywhere(bitmap, values.ToHashSet(), high, $"{runs} runs");

        // Removing values splits and drops runs, leaving stale pairs past the run count in the storage.
        var model = values.ToHashSet();
        foreach (uint v in values.Where((_, i) => i % 3 == 0).ToList())
        {
            bitmap.Remove(v);
            model.Remove(v);
        }

        AssertAgreesEverywhere(bitmap, model, high, $"{runs} runs after removals");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void Contains_RunContainersAtBothEdgesOfTheKey_FindZeroAnd65535(int runs)
    {
        // The first run starts at 0 and the last ends at 65535 (the last, partly filled vector; the value whose
        // offset from a run start is largest); single values, so every other value is a miss next to a hit.
        uint high = 3u << 16;
        var values = new List<uint> { high };
        for (int run = 1; run < runs - 1; run++)
        {
            values.Add(high | (uint)(run * 1000));
        }

        values.AddRange(Enumerable.Range(65536 - 300, 300).Select(low => high | (uint)low));
        var bitmap = RoaringBitmap.FromSorted([.. values.Distinct().Order()]);
        bitmap.RunOptimize();
        Assert.True(bitmap.HasRuns, $"{runs} runs: expected a run container");
        AssertAgreesEverywhere(bitmap, values.ToHashSet(), high, $"{runs} runs from 0 to 65535");
    }

    private static void AssertAgreesEverywhere(RoaringBitmap bitmap, HashSet<uint> model, uint high, string what)
    {
        for (uint low = 0; low < 65536; low++)
        {
            uint v = high | low;
            if (model.Contains(v) != bitmap.Contains(v))
            {
                Assert.Fail($"{what}: Contains({v}) is {bitmap.Contains(v)}, expected {model.Contains(v)}");
            }
        }

        Assert.False(bitmap.Contains(high - 1), $"{what}: the key below");
        Assert.False(bitmap.Contains(high + 65536), $"{what}: the key above");
    }
}
