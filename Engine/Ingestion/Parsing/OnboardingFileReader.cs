using System.Text;
using CsvHelper;
using Onboarding.Engine.Ids;

namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>
/// Reads an onboarding file row by row, on UTF-8 spans (CsvHelper 34), validating every row.
/// <para>
/// The format: a header row <c>ID Type,ID,Add,Remove</c> (names matched ignoring case and extra spaces, all four
/// columns, in this order), then one row per ID. Comma-separated per RFC 4180 (quoted cells, doubled quotes), or
/// tab- or pipe-separated, as the header line shows. UTF-8 with or without a byte order mark; LF or CRLF; empty
/// lines are skipped; a line break inside a quoted cell is not allowed. <c>Add</c> and <c>Remove</c> hold zero or
/// more <c>Group=Segment</c> entries separated by <c>;</c> (<c>\;</c> is a literal semicolon; empty entries are
/// ignored; an entry repeated in a cell counts once). See <see cref="IdCodec"/> for the ID rules.
/// </para>
/// <para>
/// Problems of the file as a whole throw <see cref="OnboardingFileException"/> from <see cref="Open(string, OnboardingReadOptions?)"/>
/// (empty file, not UTF-8 text, bad header, unsupported delimiter). Problems of a row are returned as a
/// <see cref="RowError"/> and reading goes on. Rules that depend on the apply mode are the caller's.
/// </para>
/// <example>
/// <code>
/// using var reader = OnboardingFileReader.Open(path);
/// while (reader.TryReadNext(out OnboardingRow row, out RowError? error))
/// {
///     if (error is not null) { rejects.Write(error); continue; }
///     // row.IdType, row.Id, row.AddIndexes / row.RemoveIndexes into reader.Segments
/// }
/// </code>
/// </example>
/// </summary>
public sealed class OnboardingFileReader : IDisposable
{
    /// <summary>The column names, as the format defines them.</summary>
    public static IReadOnlyList<string> ColumnNames { get; } = ["ID Type", "ID", "Add", "Remove"];

    private const string EmailTypeName = "EMAIL";

    private readonly CsvReader _csv;
    private readonly LineLimitStream _input;
    private readonly SegmentTable _segments;
    private readonly Queue<CsvMalformedRecord> _malformed = new();
    private readonly byte[] _id = new byte[IdCodec.MaxByteLength];
    private byte[]? _lastTypeCell; // null until a type cell was recognised: an empty first cell must be classified too
    private IdType _lastType;
    private bool _lastTypeIsEmail;

    private OnboardingFileReader(Stream stream, string fileName, OnboardingReadOptions options, bool leaveOpen)
    {
        FileName = fileName;
        Options = options;
        SniffedHeader sniffed;
        try
        {
            sniffed = HeaderSniffer.Sniff(stream, fileName, options.MaxLineLength);
        }
        catch
        {
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            throw;
        }

        Delimiter = sniffed.Delimiter;
        HasByteOrderMark = sniffed.HasByteOrderMark;
        _input = new LineLimitStream(stream, leaveOpen, sniffed.Buffer, sniffed.Start, sniffed.Length, options.MaxLineLength, fileName, options.MaxFileBytes);
        _segments = new SegmentTable(options.MaxCachedCells, options.MaxErrorValueLength);
        var csvOptions = CsvReaderOptions.Default with
        {
            Separator = sniffed.Delimiter,
            HasHeader = true,
            Mode = CsvMode.Rfc4180,
            AllowLineBreaksInQuotes = false,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            DetectSeparatorHint = false,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MaxRecordSize = options.MaxLineLength + 4096,
            OnMalformedRecord = _malformed.Enqueue,
        };
        _csv = CsvReader.Create(_input, csvOptions, leaveOpen: false);
        try
        {
            Header = [.. _csv.Headers];
            CheckHeader();
        }
        catch (Exception e)
        {
            _csv.Dispose();
            if (e is CsvFormatException format)
            {
                throw new OnboardingFileException(fileName, 1, 0, $"unreadable header: {format.Message}", format);
            }

            throw;
        }
    }

    /// <summary>The file name or path given when opening, used in messages.</summary>
    public string FileName { get; }

    /// <summary>The options in use.</summary>
    public OnboardingReadOptions Options { get; }

    /// <summary>The delimiter recognised from the header line: <c>,</c>, <c>\t</c> or <c>|</c>.</summary>
    public char Delimiter { get; }

    /// <summary>Whether the file starts with a UTF-8 byte order mark.</summary>
    public bool HasByteOrderMark { get; }

    /// <summary>The header cells as written in the file.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Data records read so far, valid or rejected (empty lines are not records).</summary>
    public long RowsRead { get; private set; }

    /// <summary>Records rejected so far with a <see cref="RowError"/>.</summary>
    public long RowsRejected { get; private set; }

    /// <summary>Valid rows returned so far.</summary>
    public long RowsAccepted => RowsRead - RowsRejected;

    /// <summary>Plaintext e-mail rows hashed so far (<see cref="OnboardingReadOptions.HashEmails"/>).</summary>
    public long EmailsHashed { get; private set; }

    /// <summary>
    /// Every distinct segment met so far in valid cells; <see cref="OnboardingRow.AddIndexes"/> and
    /// <see cref="OnboardingRow.RemoveIndexes"/> index it. Each name is one instance however many rows carry it.
    /// </summary>
    public IReadOnlyList<SegmentName> Segments => _segments.Segments;

    /// <summary>Opens a file and reads its header.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">The options, or <see langword="null"/> for <see cref="OnboardingReadOptions.Default"/>.</param>
    /// <returns>A reader positioned before the first row.</returns>
    /// <exception cref="OnboardingFileException">The file is not an onboarding file (see the class remarks).</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static OnboardingFileReader Open(string path, OnboardingReadOptions? options = null)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return new OnboardingFileReader(stream, path, options ?? OnboardingReadOptions.Default, leaveOpen: false);
    }

    /// <summary>Reads an onboarding file from a stream (decrypted or decompressed input), from its current position.</summary>
    /// <param name="stream">The input; it need not be seekable.</param>
    /// <param name="fileName">The name used in messages and errors.</param>
    /// <param name="options">The options, or <see langword="null"/> for <see cref="OnboardingReadOptions.Default"/>.</param>
    /// <param name="leaveOpen">Whether <paramref name="stream"/> stays open when the reader is disposed.</param>
    /// <returns>A reader positioned before the first row.</returns>
    /// <exception cref="OnboardingFileException">The input is not an onboarding file (see the class remarks).</exception>
    public static OnboardingFileReader Open(Stream stream, string fileName, OnboardingReadOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        return new OnboardingFileReader(stream, fileName, options ?? OnboardingReadOptions.Default, leaveOpen);
    }

    /// <summary>
    /// Reads the next record. Returns <see langword="false"/> at the end of the file. Otherwise exactly one of these
    /// holds: <paramref name="error"/> is <see langword="null"/> and <paramref name="row"/> is a valid row, or
    /// <paramref name="error"/> says why the record was rejected (and <paramref name="row"/> is empty).
    /// </summary>
    /// <param name="row">The row; its spans are valid until the next call.</param>
    /// <param name="error">Why the record was rejected, or <see langword="null"/>.</param>
    /// <returns>Whether a record was read.</returns>
    /// <exception cref="OnboardingFileException">The rest of the file cannot be read as CSV.</exception>
    public bool TryReadNext(out OnboardingRow row, out RowError? error)
    {
        row = default;
        if (!ReadRecord())
        {
            error = null;
            return false;
        }

        RowsRead++;
        long line = _csv.LineNumber;
        error = CheckRecord(line) ?? ReadRow(line, out row);
        if (error is not null)
        {
            RowsRejected++;
            row = default;
        }

        return true;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _csv.Dispose();

    private bool ReadRecord()
    {
        try
        {
            return _csv.Read();
        }
        catch (CsvFormatException e)
        {
            throw new OnboardingFileException(FileName, e.LineNumber, 0, $"unreadable CSV: {e.Message}", e);
        }
    }

    /// <summary>Problems of the record as a whole: a cut line, malformed quoting, the column count.</summary>
    private RowError? CheckRecord(long line)
    {
        Queue<long> cut = _input.TruncatedLineStarts;
        while (cut.Count > 0 && cut.Peek() < _csv.ByteOffset)
        {
            cut.Dequeue();
        }

        if (cut.Count > 0 && cut.Peek() == _csv.ByteOffset)
        {
            cut.Dequeue();
            return WholeRowError(line,
                $"line too long: longer than the limit of {Options.MaxLineLength:N0} bytes (MaxLineLength); the rest of the line was skipped");
        }

        if (_malformed.Count > 0 && Malformed(line) is string quoting)
        {
            return WholeRowError(line, quoting);
        }

        int fields = _csv.FieldCount;
        return fields == 4
            ? null
            : WholeRowError(line, $"wrong number of columns: got {fields}, expected 4 (ID Type, ID, Add, Remove) separated by '{DelimiterName}'");
    }

    private string? Malformed(long line)
    {
        while (_malformed.Count > 0 && _malformed.Peek().LineNumber < line)
        {
            _malformed.Dequeue();
        }

        string? reason = null;
        while (_malformed.Count > 0 && _malformed.Peek().LineNumber == line)
        {
            reason ??= _malformed.Dequeue().Reason switch
            {
                CsvMalformedReason.TextAfterClosingQuote => "malformed quoting: text after the closing quote of a quoted cell",
                CsvMalformedReason.UnterminatedQuote or CsvMalformedReason.LineBreakInQuotes =>
                    "malformed quoting: a quoted cell is not closed on its line (cells cannot contain line breaks)",
                _ => null,
            };
        }

        return reason;
    }

    private RowError? ReadRow(long line, out OnboardingRow row)
    {
        row = default;
        ReadOnlySpan<byte> typeCell = _csv.GetSpan(0);
        if (_lastTypeCell is null || !typeCell.SequenceEqual(_lastTypeCell))
        {
            RowError? typeError = ClassifyType(line, typeCell);
            if (typeError is not null)
            {
                return typeError;
            }
        }

        IdType type = _lastType;
        ReadOnlySpan<byte> idCell = _csv.GetSpan(1);
        if (_lastTypeIsEmail)
        {
            RowError? emailError = HashEmail(line, idCell);
            if (emailError is not null)
            {
                return emailError;
            }
        }
        else if (!IdCodec.TryParse(type, idCell, _id, out string? idError))
        {
            return CellError(line, 2, idError!, idCell);
        }

        if (!_segments.TryParse(_csv.GetSpan(2), 0, out SegmentCell adds, out CellError? addError))
        {
            return new RowError(line, 3, ColumnNames[2], addError!.Reason, addError.Value);
        }

        if (!_segments.TryParse(_csv.GetSpan(3), 1, out SegmentCell removes, out CellError? removeError))
        {
            return new RowError(line, 4, ColumnNames[3], removeError!.Reason, removeError.Value);
        }

        if (adds.Count > 0 && removes.Count > 0)
        {
            foreach (int index in removes.Indexes)
            {
                if (adds.Indexes.Contains(index))
                {
                    string name = Segments[index].ToString();
                    return new RowError(line, 4, ColumnNames[3],
                        $"segment '{ErrorValue.From(name, 80)}' is both added and removed in the same row",
                        ErrorValue.From(name, Options.MaxErrorValueLength));
                }
            }
        }

        row = new OnboardingRow(line, type, _lastTypeIsEmail, _id.AsSpan(0, IdTypes.ByteLength(type)), adds, removes);
        return null;
    }

    private RowError? ClassifyType(long line, ReadOnlySpan<byte> cell)
    {
        ReadOnlySpan<byte> trimmed = cell.Trim(" \t"u8);
        bool isEmail = Ascii.EqualsIgnoreCase(trimmed, EmailTypeName);
        IdType type = default;
        if (!isEmail && (!Ascii.IsValid(trimmed) || !IdTypes.TryParse(Encoding.ASCII.GetString(trimmed), out type)))
        {
            string reason = trimmed.IsEmpty
                ? "empty ID type: expected HEMSHA2, HEMSHA1, HEMMD5, MAID or IP"
                : cell.IndexOf((byte)0) >= 0
                    ? "NUL byte (U+0000) in the ID type"
                    : $"unknown ID type '{ErrorValue.From(trimmed, 40)}': expected HEMSHA2, HEMSHA1, HEMMD5, MAID or IP";
            return CellError(line, 1, reason, cell);
        }

        if (isEmail && !Options.HashEmails)
        {
            return CellError(line, 1,
                "plaintext e-mail addresses are not accepted: send HEMSHA2 (SHA-256 of the trimmed, lowercased address)", cell);
        }

        _lastTypeCell = cell.ToArray();
        _lastType = isEmail ? IdType.HemSha2 : type;
        _lastTypeIsEmail = isEmail;
        return null;
    }

    private RowError? HashEmail(long line, ReadOnlySpan<byte> cell)
    {
        // The value of these errors is the ID type, not the address: reject reports must not hold plaintext e-mail.
        const string Shown = EmailTypeName;
        ReadOnlySpan<byte> address = cell.Trim(" \t"u8);
        string? reason =
            address.IsEmpty ? "empty ID" :
            !System.Text.Unicode.Utf8.IsValid(address) ? "invalid UTF-8 in the e-mail address (files must be UTF-8)" :
            address.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 ? "control character in the e-mail address" :
            address.IndexOf((byte)'@') < 0 ? "not an e-mail address: no '@'" :
            null;
        if (reason is not null)
        {
            return new RowError(line, 2, ColumnNames[1], reason, Shown);
        }

        IdCodec.HashEmail(Encoding.UTF8.GetString(address), _id);
        EmailsHashed++;
        return null;
    }

    private RowError CellError(long line, int column, string reason, ReadOnlySpan<byte> value) =>
        new(line, column, ColumnNames[column - 1], reason, ErrorValue.From(value, Options.MaxErrorValueLength));

    private RowError WholeRowError(long line, string reason) =>
        new(line, RowError.WholeRow, string.Empty, reason, ErrorValue.From(_csv.RawRecord, Options.MaxErrorValueLength));

    private string DelimiterName => Delimiter switch { '\t' => "tab", '|' => "|", _ => "," };

    private void CheckHeader()
    {
        for (int i = 0; i < Math.Max(Header.Count, ColumnNames.Count); i++)
        {
            string? reason = null;
            if (i >= Header.Count)
            {
                reason = $"missing column '{ColumnNames[i]}': the header has {Header.Count} columns ({string.Join(", ", Header)}), expected ID Type,ID,Add,Remove";
            }
            else if (i >= ColumnNames.Count)
            {
                reason = Header[i].Trim().Length == 0
                    ? $"unexpected empty column {i + 1} in the header (a trailing delimiter?): expected exactly ID Type,ID,Add,Remove"
                    : $"unexpected column '{ErrorValue.From(Header[i], 80)}' at column {i + 1}: expected exactly ID Type,ID,Add,Remove";
            }
            else if (!SameName(Header[i], ColumnNames[i]))
            {
                bool known = ColumnNames.Any(name => SameName(Header[i], name));
                reason = known
                    ? $"column {i + 1} is '{Header[i].Trim()}', expected '{ColumnNames[i]}': the columns must be in the order ID Type,ID,Add,Remove"
                    : $"unexpected column '{ErrorValue.From(Header[i], 80)}' at column {i + 1}: expected '{ColumnNames[i]}' (the header must be ID Type,ID,Add,Remove)";
            }

            if (reason is not null)
            {
                throw new OnboardingFileException(FileName, 1, i + 1, reason);
            }
        }
    }

    /// <summary>Header names match ignoring case, surrounding spaces and repeated inner spaces.</summary>
    private static bool SameName(string cell, string name) =>
        string.Join(' ', cell.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Equals(name, StringComparison.OrdinalIgnoreCase);
}
