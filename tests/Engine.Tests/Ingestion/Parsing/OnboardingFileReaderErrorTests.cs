using System.Text;
using Onboarding.Engine.Ingestion.Parsing;
using static Onboarding.Engine.Tests.Ingestion.Parsing.OnboardingTestFiles;

namespace Onboarding.Engine.Tests.Ingestion.Parsing;

/// <summary>The bad-input corpus: every row error and file error with its exact reason and location.</summary>
public class OnboardingFileReaderErrorTests
{
    private static readonly string A = Sha2("a");

    [Theory]
    [InlineData("HEMSHA2,{A},G=S\n", "wrong number of columns: got 3, expected 4 (ID Type, ID, Add, Remove) separated by ','")]
    [InlineData("HEMSHA2,{A},G=S,,\n", "wrong number of columns: got 5, expected 4 (ID Type, ID, Add, Remove) separated by ','")]
    [InlineData("HEMSHA2,\"{A}\"x,G=S,\n", "malformed quoting: text after the closing quote of a quoted cell")]
    [InlineData("HEMSHA2,\"{A},G=S,\n", "malformed quoting: a quoted cell is not closed on its line (cells cannot contain line breaks)")]
    public void Row_WholeRowProblems(string line, string reason)
    {
        line = line.Replace("{A}", A, StringComparison.Ordinal);
        RowError error = SingleError(line);
        Assert.Equal(new RowError(2, RowError.WholeRow, "", reason, line.TrimEnd('\n')), error);
    }

    [Theory]
    [InlineData("FOO", "unknown ID type 'FOO': expected HEMSHA2, HEMSHA1, HEMMD5, MAID or IP")]
    [InlineData(" ", "empty ID type: expected HEMSHA2, HEMSHA1, HEMMD5, MAID or IP")]
    [InlineData("HEMSHA256", "unknown ID type 'HEMSHA256': expected HEMSHA2, HEMSHA1, HEMMD5, MAID or IP")]
    public void Row_BadIdType(string type, string reason) =>
        Assert.Equal(new RowError(2, 1, "ID Type", reason, type), SingleError($"{type},{A},G=S,\n"));

    [Theory]
    [InlineData("", "empty ID")]
    [InlineData("0x{A}", "'0x' prefix is not allowed: a HEMSHA2 ID is 64 hex characters without a prefix")]
    [InlineData("{A63}g", "invalid hex character 'g' at position 64")]
    [InlineData("{A63}", "wrong length: a HEMSHA2 ID is 64 hex characters, got 63")]
    [InlineData("{A}0", "wrong length: a HEMSHA2 ID is 64 hex characters, got 65")]
    public void Row_BadHex(string id, string reason)
    {
        id = id.Replace("{A63}", A[..63], StringComparison.Ordinal).Replace("{A}", A, StringComparison.Ordinal);
        Assert.Equal(new RowError(2, 2, "ID", reason, id), SingleError($"HEMSHA2,{id},G=S,\n"));
    }

    [Fact]
    public void Row_HugeValue_TruncatedInTheError()
    {
        RowError error = SingleError($"HEMSHA2,{new string('a', 5000)},G=S,\n");
        Assert.Equal("wrong length: a HEMSHA2 ID is 64 hex characters, got 5000", error.Reason);
        Assert.Equal(new string('a', 200) + "... (5,000 bytes)", error.Value);
    }

    [Theory]
    [InlineData("Gold", 3, "missing '=' in 'Gold': entries are Group=Segment", "Gold")]
    [InlineData("G=S;=Q1", 3, "empty group name: entries are Group=Segment", "=Q1")]
    [InlineData("G= ", 3, "empty segment name: entries are Group=Segment", "G=")]
    [InlineData("G=a\u0007b", 3, "control character U+0007 at position 2 of the segment name", "G=a\\u0007b")]
    public void Row_BadAddEntry(string cell, int column, string reason, string value) =>
        Assert.Equal(new RowError(2, column, "Add", reason, value), SingleError($"HEMSHA2,{A},{cell},\n"));

    [Fact]
    public void Row_BadRemoveEntry_ReportsTheRemoveColumn() =>
        Assert.Equal(
            new RowError(2, 4, "Remove", "missing '=' in 'Gold': entries are Group=Segment", "Gold"),
            SingleError($"HEMSHA2,{A},,Gold\n"));

    [Fact]
    public void Row_GroupOf281Characters_Rejected_280Accepted()
    {
        string ok = new string('g', 280) + "=S";
        string tooLong = new string('g', 281) + "=S";
        ParsedFile file = Read(Header + $"HEMSHA2,{A},{ok},\nHEMSHA2,{A},{tooLong},\n");

        Assert.Equal(2L, Assert.Single(file.Rows).Line);
        RowError error = Assert.Single(file.Errors);
        Assert.Equal((3L, 3, "group name is 281 characters long, the limit is 280"), (error.Line, error.Column, error.Reason));
        Assert.StartsWith(new string('g', 200) + "...", error.Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("G=S", "G=S")]
    [InlineData("G=S;H=T", " G = S ")]
    public void Row_SameSegmentAddedAndRemoved_Rejected(string adds, string removes) =>
        Assert.Equal(
            new RowError(2, 4, "Remove", "segment 'G=S' is both added and removed in the same row", "G=S"),
            SingleError($"HEMSHA2,{A},{adds},{removes}\n"));

    [Fact]
    public void Row_InvalidUtf8_RowErrorAndReadingGoesOn()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes(Header + $"HEMSHA2,{A},G=S"), 0xFF, .. Encoding.UTF8.GetBytes($",\nHEMSHA2,{A},G=S,\n")];
        ParsedFile file = Read(bytes);

        Assert.Equal(
            new RowError(2, 3, "Add", "invalid UTF-8: byte 0xFF at byte 4 of the cell is not valid UTF-8 (files must be UTF-8)", "G=S\uFFFD"),
            Assert.Single(file.Errors));
        Assert.Equal(3L, Assert.Single(file.Rows).Line);
    }

    [Fact]
    public void Row_InvalidUtf8InTheId_RowError()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes(Header + "HEMSHA2,ab"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(",G=S,\n")];
        RowError error = Assert.Single(Read(bytes).Errors);
        Assert.Equal((2, "invalid hex character (invalid UTF-8 byte 0xC3) at position 3"), (error.Column, error.Reason));
    }

    [Fact]
    public void Row_NulBytes_RowErrors()
    {
        ParsedFile file = Read(Header + $"HEMSHA2,{A},G=a\0b,\nHEMSHA2,ab\0,G=S,\n");

        Assert.Equal(
            [
                new RowError(2, 3, "Add", "NUL byte (U+0000) at position 4 of the cell", "G=a\\u0000b"),
                new RowError(3, 2, "ID", "invalid hex character U+0000 (NUL) at position 3", "ab\\u0000"),
            ],
            file.Errors);
    }

    [Fact]
    public void Row_TenMegabyteLine_RowErrorWithoutBufferingIt()
    {
        using var temp = new TempFolder();
        string path = temp.File("big.csv");
        using (var stream = File.Create(path))
        {
            stream.Write(Encoding.UTF8.GetBytes(Header + "HEMSHA2,"));
            byte[] chunk = new byte[1 << 20];
            chunk.AsSpan().Fill((byte)'a');
            for (int i = 0; i < 10; i++)
            {
                stream.Write(chunk);
            }

            stream.Write(Encoding.UTF8.GetBytes($",G=S,\nHEMSHA2,{A},G=S,\n"));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        using OnboardingFileReader reader = OnboardingFileReader.Open(path);
        ParsedFile file = ReadAll(reader);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        RowError error = Assert.Single(file.Errors);
        Assert.Equal(
            (2L, RowError.WholeRow, "line too long: longer than the limit of 1,048,576 bytes (MaxLineLength); the rest of the line was skipped"),
            (error.Line, error.Column, error.Reason));
        Assert.Equal("HEMSHA2," + new string('a', 192) + "... (1,048,576 bytes)", error.Value);
        Assert.Equal(3L, Assert.Single(file.Rows).Line);
        Assert.True(allocated < 8 << 20, $"allocated {allocated:N0} bytes reading a 10 MB line");
    }

    [Fact]
    public void Row_LineLongerThanASmallLimit_CutAtEveryChunkSize()
    {
        var options = OnboardingReadOptions.Default with { MaxLineLength = 100 };
        string longLine = $"HEMSHA2,{A},G={new string('s', 200)},";
        ParsedFile file = Read(Header + $"{longLine}\nHEMSHA2,{A},G=S,\n{longLine}\r\n{longLine}", options);

        Assert.Equal([2L, 4L, 5L], file.Errors.Select(e => e.Line));
        Assert.All(file.Errors, e => Assert.StartsWith("line too long: longer than the limit of 100 bytes", e.Reason, StringComparison.Ordinal));
        Assert.Equal(3L, Assert.Single(file.Rows).Line);
    }

    [Fact]
    public void File_Empty_Error()
    {
        OnboardingFileException e = FileError([]);
        Assert.Equal((0L, 0, "the file is empty (0 bytes): expected the header row ID Type,ID,Add,Remove"), (e.Line, e.Column, e.Reason));
        Assert.Equal("test.csv: the file is empty (0 bytes): expected the header row ID Type,ID,Add,Remove", e.Message);
    }

    [Theory]
    [InlineData("ID Type,ID,Add,Remove")]
    [InlineData("ID Type,ID,Add,Remove\n")]
    [InlineData("ID Type,ID,Add,Remove\r\n\r\n\n")]
    public void File_OnlyAHeader_ZeroRows(string text)
    {
        ParsedFile file = Read(text);
        Assert.Equal(0, file.RowsRead);
        Assert.Empty(file.Errors);
    }

    [Theory]
    [InlineData("ID Type,ID,Add,Delete\n", 4, "unexpected column 'Delete' at column 4: expected 'Remove' (the header must be ID Type,ID,Add,Remove)")]
    [InlineData("ID Type,ID,Add\n", 4, "missing column 'Remove': the header has 3 columns (ID Type, ID, Add), expected ID Type,ID,Add,Remove")]
    [InlineData("ID Type,ID\n", 3, "missing column 'Add': the header has 2 columns (ID Type, ID), expected ID Type,ID,Add,Remove")]
    [InlineData("ID,ID Type,Add,Remove\n", 1, "column 1 is 'ID', expected 'ID Type': the columns must be in the order ID Type,ID,Add,Remove")]
    [InlineData("ID Type,ID,Add,Remove,Extra\n", 5, "unexpected column 'Extra' at column 5: expected exactly ID Type,ID,Add,Remove")]
    [InlineData("ID Type,ID,Add,Remove,\n", 5, "unexpected empty column 5 in the header (a trailing delimiter?): expected exactly ID Type,ID,Add,Remove")]
    [InlineData("HEMSHA2,abc,G=S,\n", 1, "unexpected column 'HEMSHA2' at column 1: expected 'ID Type' (the header must be ID Type,ID,Add,Remove)")]
    public void File_WrongOrMissingHeader_SaysWhichColumn(string text, int column, string reason)
    {
        OnboardingFileException e = FileError(text);
        Assert.Equal((1L, column, reason), (e.Line, e.Column, e.Reason));
    }

    [Theory]
    [InlineData("ID Type;ID;Add;Remove\n", "unsupported delimiter ';' in the header line: use comma, tab or pipe (ID Type,ID,Add,Remove)")]
    [InlineData("ID Type ID Add Remove\n", "no delimiter in the header line 'ID Type ID Add Remove': expected ID Type,ID,Add,Remove separated by comma, tab or pipe")]
    [InlineData("\nID Type,ID,Add,Remove\n", "the first line is empty: expected the header row ID Type,ID,Add,Remove")]
    public void File_UnsupportedDelimiterOrNoHeader(string text, string reason)
    {
        OnboardingFileException e = FileError(text);
        Assert.Equal((1L, reason), (e.Line, e.Reason));
    }

    [Theory]
    [InlineData(new byte[] { 0x1F, 0x8B, 0x08, 0x00 }, 0, "the file is gzip-compressed: onboarding files must be UTF-8 CSV text")]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x0A }, 0, "the file is a zip archive: onboarding files must be UTF-8 CSV text")]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x49, 0x00 }, 0, "the file is UTF-16 text (byte order mark): onboarding files must be UTF-8 CSV text")]
    [InlineData(new byte[] { 0x85, 0x01, 0x0C, 0x03, 0x00, 0x9A }, 0, "the header line is not valid UTF-8: binary data or another encoding; onboarding files must be UTF-8 CSV text")]
    [InlineData(new byte[] { 0x49, 0x44, 0x00, 0x2C, 0x0A }, 3, "the header line contains a NUL byte: binary data, not an onboarding CSV file")]
    public void File_BinaryGarbage_Error(byte[] bytes, int column, string reason)
    {
        OnboardingFileException e = FileError(bytes);
        Assert.Equal((1L, column, reason), (e.Line, e.Column, e.Reason));
    }

    [Fact]
    public void File_HeaderLongerThanTheLimit_Error()
    {
        OnboardingFileException e = Assert.Throws<OnboardingFileException>(() =>
            Read(new string('x', 500), OnboardingReadOptions.Default with { MaxLineLength = 100 }));
        Assert.Equal("the first line is longer than 100 bytes: not an onboarding file (expected the header row ID Type,ID,Add,Remove)", e.Reason);
    }
}

/// <summary>Serves a byte array a few bytes per read, to cross every chunk boundary.</summary>
internal sealed class TrickleStream(byte[] bytes, int step) : MemoryStream(bytes)
{
    public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(step, buffer.Length)]);

    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(step, count));
}

public class OnboardingFileReaderChunkTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public void Read_TinyReads_SameRowsAndCutLines(int step)
    {
        string a = OnboardingTestFiles.Sha2("a");
        string longLine = $"HEMSHA2,{a},G={new string('s', 300)},";
        string text = OnboardingTestFiles.Header + $"HEMSHA2,{a},G=S,\n{longLine}\r\nHEMSHA2,{a},,G=S\r\n\n{longLine}\n{longLine}";
        using OnboardingFileReader reader = OnboardingFileReader.Open(
            new TrickleStream(Encoding.UTF8.GetBytes(text), step), "t.csv", OnboardingReadOptions.Default with { MaxLineLength = 120 });

        ParsedFile file = OnboardingTestFiles.ReadAll(reader);

        Assert.Equal([2L, 4L], file.Rows.Select(r => r.Line));
        Assert.Equal([3L, 6L, 7L], file.Errors.Select(e => e.Line));
        Assert.All(file.Errors, e => Assert.Equal(longLine[..120], e.Value));
    }
}
