using System.Security.Cryptography;
using System.Text;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Testing.Fuzzing;

/// <summary>
/// Hostile onboarding files for <see cref="OnboardingFileReader"/>: valid files mutated at the byte level, and files
/// built from the format's own pieces put together wrongly (delimiters, quotes, BOMs, NULs, bad UTF-8, long
/// lines, many columns, bare CRs). The contract checked: the reader either throws <see cref="OnboardingFileException"/>
/// or reads to the end, every record becoming a valid row or a located <see cref="RowError"/>.
/// </summary>
public static class OnboardingFileFuzzer
{
    /// <summary>Small limits, so that long-line and long-value paths are hit by inputs of a few KiB.</summary>
    public static OnboardingReadOptions Options { get; } = OnboardingReadOptions.Default with { MaxLineLength = 256, MaxErrorValueLength = 40, MaxCachedCells = 8 };

    private static readonly string[] Types = ["HEMSHA2", "HEMSHA1", "HEMMD5", "MAID", "IP", "EMAIL", "hemsha2", " MAID ", "SSN", string.Empty];
    private static readonly string[] Headers = ["ID Type,ID,Add,Remove", "ID Type\tID\tAdd\tRemove", "ID Type|ID|Add|Remove", "id type , id,ADD,remove", "ID Type,ID,Add", "ID Type,ID,Add,Remove,", "ID;Type;Add;Remove", "\"ID Type\",\"ID\",\"Add\",\"Remove\""];
    private static readonly string[] Pieces = [",", "\t", "|", "\"", "\"\"", ";", "\\;", "=", "\n", "\r\n", "\r", "\0", "\uFEFF", "é", "\u2028", " ", "Loyalty=Gold", "=Gold", "Loyalty=", "G=S;G=S", "*", "@"];

    public static (byte[] Input, string Description) Generate(Random random) => random.Next(3) switch
    {
        0 => Mutate(random, Valid(random)),
        1 => (Encoding.UTF8.GetBytes(Assemble(random)), "assembled"),
        _ => Mutate(random, Encoding.UTF8.GetBytes(Assemble(random))),
    };

    /// <summary>Reads an input to its end and checks every row and error the reader gives.</summary>
    public static (FuzzVerdict Verdict, string? Detail) Check(byte[] input)
    {
        try
        {
            using OnboardingFileReader reader = OnboardingFileReader.Open(new MemoryStream(input, writable: false), "fuzz.csv", Options);
            long lastLine = 1;
            while (reader.TryReadNext(out OnboardingRow row, out RowError? error))
            {
                if (error is not null)
                {
                    if (error.Line <= 1 || error.Column is < 0 or > 4 || error.Reason.Length == 0 || error.Value.Length > (6 * Options.MaxErrorValueLength) + 32)
                    {
                        return (FuzzVerdict.Failed, $"bad row error {error}");
                    }

                    lastLine = Math.Max(lastLine, error.Line);
                    continue;
                }

                if (row.Line < lastLine || row.Id.Length != IdTypes.ByteLength(row.IdType))
                {
                    return (FuzzVerdict.Failed, $"bad row at line {row.Line} after line {lastLine}, {row.Id.Length}-byte {row.IdType} ID");
                }

                foreach (int index in (ReadOnlySpan<int>)[.. row.AddIndexes, .. row.RemoveIndexes])
                {
                    if ((uint)index >= (uint)reader.Segments.Count)
                    {
                        return (FuzzVerdict.Failed, $"segment index {index} of {reader.Segments.Count} at line {row.Line}");
                    }
                }

                lastLine = row.Line;
            }

            return reader.RowsRead == reader.RowsAccepted + reader.RowsRejected
                ? (FuzzVerdict.Accepted, null)
                : (FuzzVerdict.Failed, "row counts do not add up");
        }
        catch (OnboardingFileException ex)
        {
            return ex.Message.StartsWith("fuzz.csv", StringComparison.Ordinal) && ex.Reason.Length > 0
                ? (FuzzVerdict.Rejected, null)
                : (FuzzVerdict.Failed, $"file error without its location: {ex.Message}");
        }
#pragma warning disable CA1031 // Any other exception is exactly what the campaign reports.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (FuzzVerdict.Failed, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static byte[] Valid(Random random)
    {
        var text = new StringBuilder("ID Type,ID,Add,Remove\n");
        for (int i = 0, rows = random.Next(1, 12); i < rows; i++)
        {
            text.Append(random.Next(4) switch
            {
                0 => $"MAID,{new Guid(Bytes(random, 16))},Device=iOS,\n",
                1 => $"IP,{random.Next(256)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)},,Region=North\n",
                2 => $"HEMMD5,{Convert.ToHexStringLower(MD5.HashData(Bytes(random, 4)))},\"Promo=A\\;B;Promo=C\",\n",
                _ => $"HEMSHA2,{Convert.ToHexStringLower(SHA256.HashData(Bytes(random, 4)))},Loyalty=Gold;Interest=Golf,Loyalty=Silver\n",
            });
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string Assemble(Random random)
    {
        var text = new StringBuilder(random.Next(8) == 0 ? "\uFEFF" : string.Empty);
        text.Append(Headers[random.Next(Headers.Length)]).Append(random.Next(4) == 0 ? "\r\n" : "\n");
        for (int line = 0, lines = random.Next(0, 20); line < lines; line++)
        {
            text.Append(Types[random.Next(Types.Length)]);
            for (int cell = 0, cells = random.Next(0, 7); cell < cells; cell++)
            {
                text.Append(Pieces[random.Next(3)]);
                for (int piece = 0, count = random.Next(0, 5); piece < count; piece++)
                {
                    text.Append(random.Next(6) == 0 ? new string('x', random.Next(300)) : Pieces[random.Next(Pieces.Length)]);
                }
            }

            text.Append(random.Next(5) == 0 ? "\r\n" : "\n");
        }

        return text.ToString();
    }

    private static (byte[], string) Mutate(Random random, byte[] source)
    {
        byte[] bytes = (byte[])source.Clone();
        if (bytes.Length == 0)
        {
            return (bytes, "empty");
        }

        switch (random.Next(6))
        {
            case 0:
                for (int k = 0, flips = 1 + random.Next(4); k < flips; k++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return (bytes, "bit flips");
            case 1:
                bytes[random.Next(bytes.Length)] = (byte)"\0\n\r\",\t|;=\\\x80\xFF"[random.Next(12)];
                return (bytes, "special byte");
            case 2:
                return (bytes[..random.Next(bytes.Length)], "truncated");
            case 3:
            {
                int at = random.Next(bytes.Length);
                return ([.. bytes[..at], .. Enumerable.Repeat((byte)"a,\"\n\0"[random.Next(5)], random.Next(1, 600)), .. bytes[at..]], "run inserted");
            }

            case 4:
            {
                int at = random.Next(bytes.Length);
                int count = random.Next(1, Math.Min(64, bytes.Length - at) + 1);
                return ([.. bytes[..at], .. bytes[(at + count)..]], "bytes removed");
            }

            default:
            {
                int at = random.Next(bytes.Length);
                return ([.. bytes[..at], .. Bytes(random, random.Next(1, 32)), .. bytes[at..]], "random bytes inserted");
            }
        }
    }

    private static byte[] Bytes(Random random, int count)
    {
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
