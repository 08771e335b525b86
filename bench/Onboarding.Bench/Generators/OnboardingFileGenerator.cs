using System.Buffers.Binary;

namespace Onboarding.Bench.Generators;

/// <summary>
/// Writes synthetic onboarding delta files (<c>HEMSHA2</c>, comma-separated, LF): every row adds one segment, a share
/// of rows also removes another segment of the same group. IDs are 32 pseudo-random bytes derived from an ID number,
/// so <see cref="IdFor"/> gives back the ID of any number, and the same options write the same file.
/// </summary>
internal sealed class OnboardingFileGenerator
{
    private static readonly string[] Groups = ["Loyalty Program 2022", "Purchasers 2022", "Region", "Interest"];

    /// <summary>Rows to write. Defaults to 10 million.</summary>
    public long Rows { get; init; } = 10_000_000;

    /// <summary>Distinct IDs the rows are drawn from. Defaults to 5 million.</summary>
    public long DistinctIds { get; init; } = 5_000_000;

    /// <summary>Segments, spread evenly over a few groups. Defaults to 20.</summary>
    public int Segments { get; init; } = 20;

    /// <summary>Share of rows that also carry a Remove. Defaults to 0.1.</summary>
    public double RemoveShare { get; init; } = 0.1;

    /// <summary>The first ID number: rows use ID numbers <c>FirstId .. FirstId + DistinctIds - 1</c>. Defaults to 0.</summary>
    public long FirstId { get; init; }

    /// <summary>Row r uses ID number <c>FirstId + r</c> (every ID exactly once) instead of a random one.</summary>
    public bool EachIdOnce { get; init; }

    /// <summary>Seed of the row choices.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The <c>Group=Segment</c> names used, by segment number.</summary>
    public IReadOnlyList<string> SegmentNames =>
        [.. Enumerable.Range(0, Segments).Select(i => $"{Groups[i % Groups.Length]}=Segment {i / Groups.Length + 1}")];

    /// <summary>The 32-byte ID of ID number <paramref name="n"/>.</summary>
    public static void IdFor(long n, Span<byte> id)
    {
        ulong state = (ulong)n * 0x9E3779B97F4A7C15UL;
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(id[(i * 8)..], SplitMix(ref state));
        }
    }

    /// <summary>Writes the file; returns its size in bytes.</summary>
    public long Write(string path)
    {
        byte[][] names = [.. SegmentNames.Select(System.Text.Encoding.UTF8.GetBytes)];
        var random = new Random(Seed);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        file.Write("ID Type,ID,Add,Remove\n"u8);
        byte[] line = new byte[512];
        Span<byte> id = stackalloc byte[32];
        ReadOnlySpan<byte> hex = "0123456789abcdef"u8;
        for (long row = 0; row < Rows; row++)
        {
            IdFor(FirstId + (EachIdOnce ? row : random.NextInt64(DistinctIds)), id);
            int length = 0;
            "HEMSHA2,"u8.CopyTo(line);
            length += 8;
            foreach (byte b in id)
            {
                line[length++] = hex[b >> 4];
                line[length++] = hex[b & 15];
            }

            line[length++] = (byte)',';
            int add = random.Next(Segments);
            names[add].CopyTo(line, length);
            length += names[add].Length;
            line[length++] = (byte)',';
            if (random.NextDouble() < RemoveShare && Segments > 1)
            {
                int remove = (add + 1 + random.Next(Segments - 1)) % Segments;
                names[remove].CopyTo(line, length);
                length += names[remove].Length;
            }

            line[length++] = (byte)'\n';
            file.Write(line, 0, length);
        }

        return file.Length;
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
