using Onboarding.Engine.Bitmaps;

namespace Onboarding.Testing.Fuzzing;

/// <summary>
/// Mutations of valid serialized Roaring bitmaps and the check of what <see cref="RoaringBitmap.Deserialize(ReadOnlySpan{byte})"/>
/// makes of them. Shared by the unit-test campaign and the longer <c>fuzz</c> run of the bench tool.
/// </summary>
public static class RoaringFuzzer
{
    /// <summary>Valid files of every container kind, built here so the bench tool needs no test data.</summary>
    public static IEnumerable<byte[]> GeneratedSeeds()
    {
        yield return Serialize(RoaringBitmap.FromSorted([1, 2, 3, 70000]));
        var runs = new RoaringBitmap();
        runs.AddRange(10, 5000);
        runs.AddRange(1 << 16, (1 << 16) + 10);
        runs.RunOptimize();
        yield return Serialize(runs);
        yield return Serialize(RoaringBitmap.FromSorted([.. Enumerable.Range(0, 5000).Select(i => (uint)i * 3)]));
        var mixed = RoaringBitmap.FromSorted([1, 5, 9, 65536 + 3]);
        mixed.AddRange(2 << 16, (2 << 16) + 300);
        mixed.AddMany([.. Enumerable.Range(0, 5000).Select(i => (3u << 16) + ((uint)i * 7))]);
        mixed.RunOptimize();
        yield return Serialize(mixed);
        yield return Serialize(new RoaringBitmap());
    }

    public static byte[] Serialize(RoaringBitmap bitmap)
    {
        using var stream = new MemoryStream();
        bitmap.Serialize(stream);
        return stream.ToArray();
    }

    /// <summary>Deserializes (through a span or a stream): a self-consistent bitmap or <see cref="InvalidRoaringFormatException"/>, nothing else.</summary>
    public static (FuzzVerdict Verdict, string? Detail) Check(byte[] bytes, bool useStream)
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
            return (FuzzVerdict.Rejected, null);
        }
#pragma warning disable CA1031 // Any other exception type is exactly what this test reports.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (FuzzVerdict.Failed, $"Deserialize threw {ex.GetType().Name}: {ex.Message}");
        }

        try
        {
            return SelfConsistency(bitmap) is { } problem ? (FuzzVerdict.Failed, problem) : (FuzzVerdict.Accepted, null);
        }
#pragma warning disable CA1031
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (FuzzVerdict.Failed, $"accepted, then {ex.GetType().Name} using it: {ex.Message}");
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

        RoaringBitmap again = RoaringBitmap.Deserialize(Serialize(bitmap));
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

    /// <summary>One mutation of one of the seeds: byte damage, or a splice of two seeds, or a valid cookie before random bytes.</summary>
    public static (byte[] Bytes, string Description) Mutate(Random random, IReadOnlyList<byte[]> seeds)
    {
        byte[] source = seeds[random.Next(seeds.Count)];
        byte[] bytes = (byte[])source.Clone();
        switch (random.Next(10))
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

            case 8:
            {
                // Crossover: the head of one valid file on the tail of another (headers and bodies that disagree).
                byte[] other = seeds[random.Next(seeds.Count)];
                int head = random.Next(bytes.Length + 1);
                int tail = random.Next(other.Length + 1);
                return ([.. bytes[..head], .. other[tail..]], $"spliced {head} + {other.Length - tail}");
            }

            case 9:
            {
                // A valid cookie (with or without runs) and then anything: container counts, keys and offsets at random.
                var body = new byte[random.Next(4, 200)];
                random.NextBytes(body);
                byte[] cookie = random.Next(2) == 0 ? [0x3A, 0x30, 0, 0] : [0x3B, 0x30, (byte)random.Next(4), 0];
                return ([.. cookie, .. body], $"cookie {Convert.ToHexString(cookie)} + {body.Length} random bytes");
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
}
