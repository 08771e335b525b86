using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>
/// Contains compares up to 8 keys, and the values of tiny arrays, with one vector compare over padded storage; these
/// check that what lies past the size (zero padding, keys and values left by removals) is never found.
/// </summary>
public class RoaringContainsTests
{
    private static readonly uint[] Edges = [0, 1, 65534, 65535, 65536, 65537, 131071, 131072, uint.MaxValue - 65536, uint.MaxValue - 1, uint.MaxValue];

    [Fact]
    public void Contains_AfterRemovingWholeContainers_DoesNotFindTheirKeysOrValues()
    {
        // Keys 0, 1, 2, ..., 7 and 65535 (9 keys: over the small path), then down to 1 key (the small path), with
        // the removed keys left behind in the key storage.
        var values = new List<uint>();
        for (uint key = 0; key < 8; key++)
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
        // kind, at 1, 8 and 9 keys.
        foreach (int keys in (int[])[1, 8, 9])
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
}
