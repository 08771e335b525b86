using FsCheck.Xunit;
using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

public class RoaringBitmapProperties
{
    /// <summary>Folds arbitrary values into 4 containers so that they collide, plus one dense range.</summary>
    private static (RoaringBitmap Bitmap, HashSet<uint> Set) Build(uint[] raw, ushort rangeStart, ushort rangeLength, bool optimize)
    {
        var set = new HashSet<uint>();
        var bitmap = new RoaringBitmap();
        foreach (uint v in raw ?? [])
        {
            uint folded = (((v >> 28) & 3) << 16) | (v & 0xFFFF);
            set.Add(folded);
            bitmap.Add(folded);
        }

        uint start = (1u << 16) + rangeStart;
        bitmap.AddRange(start, (ulong)start + (uint)(rangeLength * 2));
        for (uint v = start; v < start + (uint)(rangeLength * 2); v++)
        {
            set.Add(v);
        }

        if (optimize)
        {
            bitmap.RunOptimize();
        }

        return (bitmap, set);
    }

    [Property(MaxTest = 200)]
    public bool SetOperations_MatchHashSet(uint[] left, uint[] right, ushort s1, ushort l1, ushort s2, ushort l2, bool o1, bool o2)
    {
        (RoaringBitmap a, HashSet<uint> sa) = Build(left, s1, l1, o1);
        (RoaringBitmap b, HashSet<uint> sb) = Build(right, s2, l2, o2);

        static bool Same(IEnumerable<uint> expected, RoaringBitmap actual) =>
            expected.Order().SequenceEqual(actual.ToArray()) && expected.Count() == actual.Cardinality;

        return Same(sa.Intersect(sb), a & b)
            && Same(sa.Union(sb), a | b)
            && Same(sa.Except(sb), a - b)
            && Same(sa.Except(sb).Union(sb.Except(sa)), a ^ b)
            && a.AndCardinality(b) == sa.Intersect(sb).Count()
            && RoaringBitmap.Or(a, b).Equals(a | b);
    }

    [Property(MaxTest = 200)]
    public bool Serialization_RoundTripsAndSizeIsExact(uint[] values, ushort start, ushort length, bool optimize)
    {
        (RoaringBitmap bitmap, HashSet<uint> set) = Build(values, start, length, optimize);
        byte[] bytes = bitmap.Serialize();
        RoaringBitmap copy = RoaringBitmap.Deserialize(bytes, out int read);

        return read == bytes.Length
            && bytes.Length == bitmap.SerializedSizeInBytes()
            && copy.Equals(bitmap)
            && copy.Serialize().AsSpan().SequenceEqual(bytes)
            && copy.Cardinality == set.Count;
    }

    [Property(MaxTest = 200)]
    public bool RankSelectContains_AreConsistent(uint[] values, ushort start, ushort length)
    {
        (RoaringBitmap bitmap, HashSet<uint> set) = Build(values, start, length, optimize: true);
        uint[] sorted = [.. set.Order()];
        for (int i = 0; i < sorted.Length; i += 1 + (sorted.Length / 50))
        {
            if (bitmap.Select(i) != sorted[i] || bitmap.Rank(sorted[i]) != i + 1 || !bitmap.Contains(sorted[i]))
            {
                return false;
            }
        }

        return sorted.Length == 0 || (bitmap.Min == sorted[0] && bitmap.Max == sorted[^1]);
    }
}
