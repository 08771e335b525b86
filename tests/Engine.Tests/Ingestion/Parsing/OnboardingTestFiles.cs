using System.Security.Cryptography;
using System.Text;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Engine.Tests.Ingestion.Parsing;

/// <summary>A valid row as the tests see it: the ID formatted back to text, segments as <c>Group=Segment</c>.</summary>
internal sealed record ParsedRow(long Line, IdType IdType, string Id, string[] Adds, string[] Removes);

/// <summary>Everything a reader produced for one input.</summary>
internal sealed record ParsedFile(
    IReadOnlyList<ParsedRow> Rows,
    IReadOnlyList<RowError> Errors,
    char Delimiter,
    bool HasByteOrderMark,
    long RowsRead,
    long RowsRejected,
    IReadOnlyList<SegmentName> Segments);

/// <summary>Builds onboarding inputs and reads them back.</summary>
internal static class OnboardingTestFiles
{
    public const string Header = "ID Type,ID,Add,Remove\n";

    public static string Sha2(string seed) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));

    public static ParsedFile Read(string text, OnboardingReadOptions? options = null) => Read(Encoding.UTF8.GetBytes(text), options);

    public static ParsedFile Read(byte[] bytes, OnboardingReadOptions? options = null)
    {
        using OnboardingFileReader reader = OnboardingFileReader.Open(new MemoryStream(bytes), "test.csv", options);
        return ReadAll(reader);
    }

    public static ParsedFile ReadAll(OnboardingFileReader reader)
    {
        var rows = new List<ParsedRow>();
        var errors = new List<RowError>();
        while (reader.TryReadNext(out OnboardingRow row, out RowError? error))
        {
            if (error is not null)
            {
                errors.Add(error);
                continue;
            }

            rows.Add(new ParsedRow(
                row.Line,
                row.IdType,
                IdCodec.Format(row.IdType, row.Id),
                [.. row.Adds.ToArray().Select(s => s.ToString())],
                [.. row.Removes.ToArray().Select(s => s.ToString())]));
        }

        return new ParsedFile(rows, errors, reader.Delimiter, reader.HasByteOrderMark, reader.RowsRead, reader.RowsRejected, [.. reader.Segments]);
    }

    /// <summary>Reads a header plus <paramref name="dataLines"/> and returns its only row error.</summary>
    public static RowError SingleError(string dataLines, OnboardingReadOptions? options = null)
    {
        ParsedFile file = Read(Header + dataLines, options);
        Assert.Empty(file.Rows);
        return Assert.Single(file.Errors);
    }

    public static OnboardingFileException FileError(byte[] bytes) =>
        Assert.Throws<OnboardingFileException>(() => Read(bytes));

    public static OnboardingFileException FileError(string text) => FileError(Encoding.UTF8.GetBytes(text));
}
