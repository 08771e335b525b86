using System.IO.Compression;

namespace Onboarding.Testing;

/// <summary>
/// Reads the real-roaring-datasets zips (200 text files each; one bitmap per file as ascending, unique,
/// comma-separated uint32). Shared by the engine tests and the benchmarks (this file is linked into both).
/// </summary>
/// <remarks>
/// Bitmaps are returned in ordinal file-name order (csv0, csv1, csv10, csv100, ...), the order CRoaring's
/// benchmarks read them in (scandir + alphasort), so "successive pairs" are the same pairs as in its tables.
/// </remarks>
internal static class RoaringDatasets
{
    /// <summary>The datasets small enough to live in the repository (copied under the tests' TestData).</summary>
    public static readonly IReadOnlyList<string> SmallNames =
        ["census1881", "census1881_srt", "uscensus2000", "wikileaks-noquotes", "wikileaks-noquotes_srt"];

    /// <summary>All seven datasets, in the order of the CRoaring reference table.</summary>
    public static readonly IReadOnlyList<string> AllNames =
        ["census-income", "census1881", "wikileaks-noquotes", "uscensus2000",
         "census-income_srt", "census1881_srt", "wikileaks-noquotes_srt"];

    /// <summary>Loads <c>&lt;directory&gt;/&lt;name&gt;.zip</c>.</summary>
    public static uint[][] Load(string directory, string name) => Load(Path.Combine(directory, name + ".zip"));

    /// <summary>Loads every bitmap of one dataset zip.</summary>
    public static uint[][] Load(string zipPath)
    {
        using ZipArchive zip = ZipFile.OpenRead(zipPath);
        var entries = zip.Entries.Where(e => e.Length > 0 || e.Name.Length > 0).ToList();
        entries.Sort((a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        var result = new uint[entries.Count][];
        for (int i = 0; i < entries.Count; i++)
        {
            using Stream s = entries[i].Open();
            using var buffer = new MemoryStream(checked((int)entries[i].Length));
            s.CopyTo(buffer);
            result[i] = Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), entries[i].FullName);
        }

        return result;
    }

    /// <summary>Parses comma-separated ascending unique uint32 values (whitespace around them is ignored).</summary>
    public static uint[] Parse(ReadOnlySpan<byte> text, string sourceName)
    {
        var values = new List<uint>(text.Length / 4);
        ulong current = 0;
        bool inNumber = false;
        long previous = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            byte c = i < text.Length ? text[i] : (byte)',';
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                current = (current * 10) + (uint)(c - '0');
                if (current > uint.MaxValue)
                {
                    throw new InvalidDataException($"{sourceName}: value above uint.MaxValue at byte {i}");
                }

                inNumber = true;
            }
            else if (c == (byte)',' || c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                if (inNumber)
                {
                    if ((long)current <= previous)
                    {
                        throw new InvalidDataException($"{sourceName}: values not ascending and unique at byte {i}");
                    }

                    values.Add((uint)current);
                    previous = (long)current;
                    current = 0;
                    inNumber = false;
                }
            }
            else
            {
                throw new InvalidDataException($"{sourceName}: unexpected character 0x{c:x2} at byte {i}");
            }
        }

        return [.. values];
    }
}
