using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>Checks a bitmap against the sorted, duplicate-free array it should hold.</summary>
internal static class BitmapAssert
{
    /// <summary>
    /// Enumeration, batch iteration, Cardinality, IsEmpty, Min/Max, Contains (every value or a sample, plus the
    /// neighbours of each sampled value), Rank and Select at spread positions, and the serialized form: it reads back
    /// to the same values, and without run containers it is exactly CRoaring's layout (arrays up to 4096 values,
    /// bitsets above: no container may be written in a form its cardinality contradicts).
    /// </summary>
    public static void Holds(uint[] expected, RoaringBitmap bitmap, string context, int samples = 64)
    {
        byte[] bytes = bitmap.ToPortableBytes();
        if (!bitmap.HasRuns)
        {
            RoaringDatasetRoundTripTests.AssertSameBytes(SortedReference.Serialize(expected, runOptimized: false), bytes, context + ": serialized layout");
        }

        SequenceEqual(expected, [.. RoaringBitmap.Deserialize(bytes)], context + ": serialized and read back");

        Assert.True(expected.Length == bitmap.Cardinality, $"{context}: Cardinality {bitmap.Cardinality}, expected {expected.Length}");
        Assert.True(expected.Length == 0 == bitmap.IsEmpty, $"{context}: IsEmpty");
        SequenceEqual(expected, [.. bitmap], context + ": enumeration");
        SequenceEqual(expected, Batched(bitmap), context + ": batch iteration");
        if (expected.Length == 0)
        {
            Assert.False(bitmap.Contains(0), context);
            Assert.False(bitmap.Contains(uint.MaxValue), context);
            return;
        }

        Assert.True(expected[0] == bitmap.Min, $"{context}: Min {bitmap.Min}, expected {expected[0]}");
        Assert.True(expected[^1] == bitmap.Max, $"{context}: Max {bitmap.Max}, expected {expected[^1]}");
        int step = Math.Max(1, expected.Length / samples);
        for (int i = 0; i < expected.Length; i += step)
        {
            CheckAround(expected, bitmap, i, context);
        }

        CheckAround(expected, bitmap, expected.Length - 1, context);
        foreach (uint edge in (uint[])[0, 65535, 65536, uint.MaxValue])
        {
            Assert.True(SortedReference.Rank(expected, edge) == bitmap.Rank(edge), $"{context}: Rank({edge})");
            Assert.True(Array.BinarySearch(expected, edge) >= 0 == bitmap.Contains(edge), $"{context}: Contains({edge})");
        }
    }

    public static void SequenceEqual(ReadOnlySpan<uint> expected, ReadOnlySpan<uint> actual, string context)
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        int i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i])
        {
            i++;
        }

        string e = i < expected.Length ? expected[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : "<end>";
        string a = i < actual.Length ? actual[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : "<end>";
        Assert.Fail($"{context}: {actual.Length} values, expected {expected.Length}; first difference at index {i}: {a}, expected {e}");
    }

    /// <summary>The bitmap's values read through the span-filling batch iterator, in odd-sized batches.</summary>
    public static uint[] Batched(RoaringBitmap bitmap)
    {
        var result = new List<uint>();
        Span<uint> buffer = stackalloc uint[257];
        var iterator = bitmap.GetBatchIterator();
        int n;
        while ((n = iterator.Fill(buffer)) > 0)
        {
            result.AddRange(buffer[..n]);
        }

        return [.. result];
    }

    private static void CheckAround(uint[] expected, RoaringBitmap bitmap, int index, string context)
    {
        uint v = expected[index];
        Assert.True(bitmap.Contains(v), $"{context}: Contains({v}) is false");
        if (v > 0 && (index == 0 || expected[index - 1] != v - 1))
        {
            Assert.False(bitmap.Contains(v - 1), $"{context}: Contains({v - 1}) is true");
        }

        if (v < uint.MaxValue && (index == expected.Length - 1 || expected[index + 1] != v + 1))
        {
            Assert.False(bitmap.Contains(v + 1), $"{context}: Contains({v + 1}) is true");
        }

        Assert.True(index + 1 == bitmap.Rank(v), $"{context}: Rank({v}) {bitmap.Rank(v)}, expected {index + 1}");
        if (v > 0)
        {
            Assert.True(index == bitmap.Rank(v - 1), $"{context}: Rank({v - 1}) {bitmap.Rank(v - 1)}, expected {index}");
        }

        Assert.True(v == bitmap.Select(index), $"{context}: Select({index}) {bitmap.Select(index)}, expected {v}");
    }
}
