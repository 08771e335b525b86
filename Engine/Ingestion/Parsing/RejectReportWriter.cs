using CsvHelper;

namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>
/// Writes rejected rows to a reject report, <c>&lt;file&gt;.rejects.csv</c> next to the input: UTF-8 CSV (RFC 4180
/// quoting, CRLF) with the header <c>line,column,column_name,reason,value</c> and one record per
/// <see cref="RowError"/>. Values that a spreadsheet would run as a formula (starting with <c>= + - @</c>) are
/// prefixed with <c>'</c>, since the values come from client files.
/// </summary>
public sealed class RejectReportWriter : IDisposable
{
    /// <summary>The header of a reject report.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["line", "column", "column_name", "reason", "value"];

    private static readonly CsvWriterOptions WriterOptions = CsvWriterOptions.Default with
    {
        Injection = CsvInjection.Escape,
    };

    private readonly CsvWriter _csv;

    private RejectReportWriter(CsvWriter csv, string? path)
    {
        _csv = csv;
        Path = path;
        _csv.WriteHeader([.. Columns]);
    }

    /// <summary>The report file, or <see langword="null"/> when writing to a stream.</summary>
    public string? Path { get; }

    /// <summary>Rows written so far (the header not counted).</summary>
    public long Count { get; private set; }

    /// <summary>The reject report path of an input file: <c>&lt;file&gt;.rejects.csv</c>.</summary>
    /// <param name="inputPath">The onboarding file.</param>
    /// <returns>The report path.</returns>
    public static string PathFor(string inputPath) => inputPath + ".rejects.csv";

    /// <summary>Creates (or replaces) the reject report of <paramref name="inputPath"/>.</summary>
    /// <param name="inputPath">The onboarding file; the report is <see cref="PathFor"/> of it.</param>
    /// <returns>The writer.</returns>
    public static RejectReportWriter ForInput(string inputPath) => Create(PathFor(inputPath));

    /// <summary>Creates (or replaces) a reject report at <paramref name="reportPath"/>.</summary>
    /// <param name="reportPath">The report file.</param>
    /// <returns>The writer.</returns>
    public static RejectReportWriter Create(string reportPath) =>
        new(CsvWriter.ToFile(reportPath, WriterOptions, FileOptions.SequentialScan), reportPath);

    /// <summary>Writes a reject report to a stream.</summary>
    /// <param name="stream">The destination.</param>
    /// <param name="leaveOpen">Whether <paramref name="stream"/> stays open when the writer is disposed.</param>
    /// <returns>The writer.</returns>
    public static RejectReportWriter Create(Stream stream, bool leaveOpen = false) =>
        new(CsvWriter.Create(stream, WriterOptions, leaveOpen), null);

    /// <summary>Writes one rejected row.</summary>
    /// <param name="error">The row error.</param>
    public void Write(RowError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        _csv.WriteField(error.Line, default);
        _csv.WriteField(error.Column, default);
        _csv.WriteField(error.ColumnName);
        _csv.WriteField(error.Reason);
        _csv.WriteField(error.Value);
        _csv.EndRecord();
        Count++;
    }

    /// <summary>Writes the buffered records to the file.</summary>
    public void Flush() => _csv.Flush();

    /// <summary>Flushes and closes the report.</summary>
    public void Dispose() => _csv.Dispose();
}
