using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>
/// A seeded mutation campaign on valid serialized bitmaps: Deserialize either returns a self-consistent bitmap or
/// throws <see cref="InvalidRoaringFormatException"/>; never another exception, never a hang.
/// </summary>
public class RoaringDeserializeMutationTests
{
    private const int Cases = 4000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(20261123)]
    [InlineData(7)]
    public async Task Deserialize_MutatedValidBytes_ReturnsConsistentBitmapOrThrowsInvalidFormat(int seed)
    {
        byte[][] seeds = [.. SeedFiles()];
        var random = new Random(seed);
        int current = -1;
        string currentDescription = "";
        var failures = new List<string>();
        int accepted = 0, rejected = 0;

        var campaign = Task.Run(() =>
        {
            for (int i = 0; i < Cases && failures.Count < 10; i++)
            {
                byte[] source = seeds[random.Next(seeds.Length)];
                (byte[] bytes, string description) = Mutate(random, source);
                Volatile.Write(ref current, i);
                currentDescription = description;
                string? failure = Check(bytes, useStream: (i & 1) == 1, ref accepted, ref rejected);
                if (failure != null)
                {
                    failures.Add($"case {i} ({description}, {bytes.Length} bytes, first 24: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(24, bytes.Length)))}): {failure}");
                }
            }
        });

        try
        {
            await campaign.WaitAsync(Budget);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"seed {seed}: no answer after {Budget.TotalSeconds}s at case {Volatile.Read(ref current)} ({currentDescription}): hang?");
        }

        Assert.True(failures.Count == 0, $"seed {seed}: {failures.Count} failing cases (accepted {accepted}, rejected {rejected}):\n" + string.Join("\n", failures));
        Assert.True(rejected > Cases / 10, $"only {rejected} of {Cases} mutated inputs were rejected");
    }

    private static string? Check(byte[] bytes, bool useStream, ref int accepted, ref int rejected)
    {
        RoaringBitmap bitmap;
        try
        {
            if (useStream)
            {
                using var stream = new MemoryStream(bytes, writable: false);
                bitmap = RoaringBitmap.Deserialize(stream);
            }
            else
            {
                bitmap = RoaringBitmap.Deserialize(bytes);
            }
        }
        catch (InvalidRoaringFormatException)
        {
            rejected++;
            return null;
        }
#pragma warning disable CA1031 // Any other exception type is exactly what this test reports.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"Deserialize threw {ex.GetType().Name}: {ex.Message}";
        }

        accepted++;
        try
        {
            return SelfConsistency(bitmap);
        }
#pragma warning disable CA1031
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"accepted, then {ex.GetType().Name} using it: {ex.Message}";
        }
    }

    /// <summary>An accepted bitmap must behave like a set: ascending enumeration, agreeing queries, stable bytes.</summary>
    private static string? SelfConsistency(RoaringBitmap bitmap)
    {
        var values = new List<uint>();
        long? previous = null;
        foreach (uint v in bitmap)
        {
            if (previous >= v)
            {
                return $"enumeration not strictly ascending ({previous} then {v})";
            }

            values.Add(v);
            previous = v;
            if (values.Count > 70_000_000)
            {
                return "enumeration does not end";
            }
        }

        if (values.Count != bitmap.Cardinality)
        {
            return $"Cardinality {bitmap.Cardinality} but {values.Count} values enumerated";
        }

        if (values.Count > 0 && (bitmap.Min != values[0] || bitmap.Max != values[^1]))
        {
            return $"Min/Max {bitmap.Min}/{bitmap.Max} but enumeration spans {values[0]}..{values[^1]}";
        }

        for (int i = 0; i < values.Count; i += Math.Max(1, values.Count / 97))
        {
            if (!bitmap.Contains(values[i]) || bitmap.Rank(values[i]) != i + 1 || bitmap.Select(i) != values[i])
            {
                return $"Contains/Rank/Select disagree with enumeration at index {i} (value {values[i]})";
            }
        }

        uint[] array = [.. values];
        RoaringBitmap rebuilt = RoaringBitmap.FromSorted(array);
        if (!rebuilt.Equals(bitmap) || rebuilt.GetHashCode() != bitmap.GetHashCode())
        {
            return "not Equal (or different hash) to FromSorted(its own values)";
        }

        RoaringBitmap again = RoaringBitmap.Deserialize(bitmap.ToPortableBytes());
        if (!again.Equals(rebuilt) || again.Cardinality != values.Count)
        {
            return "re-serialization does not read back equal";
        }

        RoaringBitmap doubled = bitmap | rebuilt;
        if (doubled.Cardinality != values.Count || (bitmap & rebuilt).Cardinality != values.Count || !(bitmap ^ rebuilt).IsEmpty)
        {
            return "set operations with an equal bitmap disagree";
        }

        return null;
    }

    private static (byte[] Bytes, string Description) Mutate(Random random, byte[] source)
    {
        byte[] bytes = (byte[])source.Clone();
        switch (random.Next(8))
        {
            case 0:
            {
                int flips = 1 + random.Next(3);
                for (int k = 0; k < flips; k++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return (bytes, $"{flips} bit flips");
            }

            case 1:
            {
                int at = random.Next(bytes.Length);
                bytes[at] = (byte)random.Next(256);
                return (bytes, $"random byte at {at}");
            }

            case 2:
            {
                // Headers are where the interesting damage is: hit the first 64 bytes.
                int at = random.Next(Math.Min(64, bytes.Length));
                bytes[at] = (byte)(random.Next(2) == 0 ? 0xFF : random.Next(256));
                return (bytes, $"header byte {at}");
            }

            case 3:
            {
                int length = random.Next(bytes.Length);
                return (bytes[..length], $"truncated to {length}");
            }

            case 4:
            {
                var tail = new byte[1 + random.Next(64)];
                random.NextBytes(tail);
                return ([.. bytes, .. tail], $"extended by {tail.Length}");
            }

            case 5:
            {
                int at = random.Next(bytes.Length);
                int count = 1 + random.Next(Math.Min(16, bytes.Length - at));
                return ([.. bytes[..at], .. bytes[(at + count)..]], $"removed {count} at {at}");
            }

            case 6:
            {
                int at = random.Next(Math.Min(64, bytes.Length - 1));
                ushort v = (ushort)(BitConverter.ToUInt16(bytes, at) + (random.Next(2) == 0 ? 1 : -1));
                BitConverter.TryWriteBytes(bytes.AsSpan(at), v);
                return (bytes, $"u16 at {at} off by one");
            }

            default:
            {
                int at = random.Next(bytes.Length);
                var junk = new byte[1 + random.Next(8)];
                random.NextBytes(junk);
                return ([.. bytes[..at], .. junk, .. bytes[at..]], $"inserted {junk.Length} at {at}");
            }
        }
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
