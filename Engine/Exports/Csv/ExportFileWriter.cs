using System.Text;
using CsvHelper;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Ids;

namespace Onboarding.Engine.Exports.Csv;

/// <summary>
/// What an export file is made of, resolved before streaming starts (so no store access happens mid-file).
/// Disposing it closes the ID readers.
/// </summary>
internal sealed record ExportContent : IDisposable
{
    /// <summary>The members written (full mode), in ordinal order.</summary>
    public RoaringBitmap? Members { get; init; }

    /// <summary>Delta mode: who entered and who left since the last successful run.</summary>
    public RoaringBitmap? Entered { get; init; }

    public RoaringBitmap? Left { get; init; }

    public required string Audience { get; init; }

    /// <summary>The value of the <c>export_date</c> column (yyyy-MM-dd in the schedule's zone).</summary>
    public required string ExportDate { get; init; }

    /// <summary>For each <c>segments:&lt;Group&gt;</c> column, the group's segments and their members.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(string Segment, RoaringBitmap Members)>> Groups { get; init; } =
        new Dictionary<string, IReadOnlyList<(string, RoaringBitmap)>>();

    /// <summary>An ID reader for each ID type the file holds, opened before streaming (opening one is not thread-safe).</summary>
    public required IReadOnlyDictionary<IdType, IIdReader> Ids { get; init; }

    public void Dispose()
    {
        foreach (IIdReader reader in Ids.Values)
        {
            reader.Dispose();
        }
    }
}

/// <summary>
/// Streams an export's rows through CsvHelper's UTF-8 writer: members in ordinal order, each ID read from the
/// dictionary into a stack buffer and hex-encoded as UTF-8, so no string is made per row for hex IDs. Delta files
/// use the onboarding layout (<c>ID Type,ID,Add,Remove</c> with <c>Audience=&lt;name&gt;</c> entries), so the
/// partner — or this engine — can ingest them as they are.
/// </summary>
internal static class ExportFileWriter
{
    /// <summary>The group delta files add and remove the audience in.</summary>
    public const string DeltaGroup = "Audience";

    private const int Batch = 4096;

    /// <summary>The writer options of a format (RFC 4180 quoting when needed, no BOM).</summary>
    public static CsvWriterOptions Options(ExportFormat format) => CsvWriterOptions.Default with
    {
        Separator = format.FieldDelimiter switch
        {
            FieldDelimiter.Tab => '\t',
            FieldDelimiter.Pipe => '|',
            FieldDelimiter.Semicolon => ';',
            _ => ',',
        },
        NewLine = format.RecordDelimiter == RecordDelimiter.CrLf ? "\r\n" : "\n",
        BufferSize = 1 << 18,
    };

    public static long Write(CsvWriter csv, ExportFormat format, ExportContent content, CancellationToken cancellation)
    {
        return content.Entered is not null
            ? WriteDelta(csv, content, cancellation)
            : WriteFull(csv, format, [.. format.Columns.Select(ExportColumn.Parse)], content, cancellation);
    }

    private static long WriteFull(CsvWriter csv, ExportFormat format, IReadOnlyList<ExportColumn> columns, ExportContent content, CancellationToken cancellation)
    {
        if (format.Header)
        {
            foreach (ExportColumn column in columns)
            {
                csv.WriteField(column.Name);
            }

            csv.EndRecord();
        }

        var ids = new IdWriter(content.Ids);
        var segmentText = new StringBuilder();
        uint[] batch = new uint[Batch];
        RoaringBitmap.BatchIterator iterator = content.Members!.GetBatchIterator();
        int n;
        long rows = 0;
        while ((n = iterator.Fill(batch)) > 0)
        {
            cancellation.ThrowIfCancellationRequested();
            for (int i = 0; i < n; i++)
            {
                uint member = batch[i];
                foreach (ExportColumn column in columns)
                {
                    switch (column.Kind)
                    {
                        case ExportColumnKind.Id:
                            ids.WriteId(csv, member);
                            break;
                        case ExportColumnKind.IdType:
                            csv.WriteField(IdTypeName(MemberSpace.FromMember(member).Type));
                            break;
                        case ExportColumnKind.Audience:
                            csv.WriteField(content.Audience);
                            break;
                        case ExportColumnKind.ExportDate:
                            csv.WriteField(content.ExportDate);
                            break;
                        case ExportColumnKind.Segments:
                            csv.WriteField(SegmentsOf(member, content.Groups[column.Group!], segmentText));
                            break;
                    }
                }

                csv.EndRecord();
            }

            rows += n;
        }

        return rows;
    }

    private static long WriteDelta(CsvWriter csv, ExportContent content, CancellationToken cancellation)
    {
        // Always with its header: the onboarding reader recognises the delimiter from it.
        foreach (string name in (ReadOnlySpan<string>)["ID Type", "ID", "Add", "Remove"])
        {
            csv.WriteField(name);
        }

        csv.EndRecord();
        string entry = $"{DeltaGroup}={content.Audience.Replace(";", "\\;", StringComparison.Ordinal)}";
        var ids = new IdWriter(content.Ids);
        RoaringBitmap changed = content.Entered! | content.Left!;
        uint[] batch = new uint[Batch];
        RoaringBitmap.BatchIterator iterator = changed.GetBatchIterator();
        int n;
        long rows = 0;
        while ((n = iterator.Fill(batch)) > 0)
        {
            cancellation.ThrowIfCancellationRequested();
            for (int i = 0; i < n; i++)
            {
                uint member = batch[i];
                bool entered = content.Entered!.Contains(member);
                csv.WriteField(IdTypeName(MemberSpace.FromMember(member).Type));
                ids.WriteId(csv, member);
                csv.WriteField(entered ? entry : string.Empty);
                csv.WriteField(entered ? string.Empty : entry);
                csv.EndRecord();
            }

            rows += n;
        }

        return rows;
    }

    private static string SegmentsOf(uint member, IReadOnlyList<(string Segment, RoaringBitmap Members)> segments, StringBuilder text)
    {
        text.Clear();
        foreach ((string segment, RoaringBitmap members) in segments)
        {
            if (members.Contains(member))
            {
                if (text.Length > 0)
                {
                    text.Append(';');
                }

                text.Append(segment.Replace(";", "\\;", StringComparison.Ordinal));
            }
        }

        return text.ToString();
    }

    private static ReadOnlySpan<byte> IdTypeName(IdType type) => type switch
    {
        IdType.HemSha2 => "HEMSHA2"u8,
        IdType.HemSha1 => "HEMSHA1"u8,
        IdType.HemMd5 => "HEMMD5"u8,
        IdType.Maid => "MAID"u8,
        _ => "IP"u8,
    };

    /// <summary>Resolves members to ID text, keeping each type's reader at hand.</summary>
    private sealed class IdWriter(IReadOnlyDictionary<IdType, IIdReader> readers)
    {
        private readonly IIdReader?[] _readers = new IIdReader?[8];

        public void WriteId(CsvWriter csv, uint member)
        {
            (IdType type, uint ordinal) = MemberSpace.FromMember(member);
            IIdReader reader = _readers[(int)type] ??= readers[type];
            Span<byte> id = stackalloc byte[IdCodec.MaxByteLength];
            id = id[..reader.KeyLength];
            reader.GetId(ordinal, id);
            if (type is IdType.Maid or IdType.Ip)
            {
                csv.WriteField(IdCodec.Format(type, id));
                return;
            }

            Span<byte> hex = stackalloc byte[IdCodec.MaxByteLength * 2];
            Convert.TryToHexStringLower(id, hex, out int written);
            csv.WriteField((ReadOnlySpan<byte>)hex[..written]);
        }
    }
}
