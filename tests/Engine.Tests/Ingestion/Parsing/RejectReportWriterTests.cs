using System.Text;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Engine.Tests.Ingestion.Parsing;

public class RejectReportWriterTests
{
    [Fact]
    public void ForInput_WritesHeaderAndQuotedRowsNextToTheInput()
    {
        using var temp = new TempFolder();
        string input = temp.File("HEMSHA2_acme_20240101.csv");
        using (RejectReportWriter writer = RejectReportWriter.ForInput(input))
        {
            writer.Write(new RowError(2, 2, "ID", "wrong length: a HEMSHA2 ID is 64 hex characters, got 3", "abc"));
            writer.Write(new RowError(7, 3, "Add", "missing '=' in 'a,\"b\"': entries are Group=Segment", "a,\"b\""));
            Assert.Equal(2, writer.Count);
        }

        string path = input + ".rejects.csv";
        Assert.Equal(path, RejectReportWriter.PathFor(input));
        Assert.Equal(
            "line,column,column_name,reason,value\r\n" +
            "2,2,ID,\"wrong length: a HEMSHA2 ID is 64 hex characters, got 3\",abc\r\n" +
            "7,3,Add,\"missing '=' in 'a,\"\"b\"\"': entries are Group=Segment\",\"a,\"\"b\"\"\"\r\n",
            File.ReadAllText(path));
    }

    [Fact]
    public void Write_FormulaLikeValue_ProtectedForSpreadsheets()
    {
        var stream = new MemoryStream();
        using (RejectReportWriter writer = RejectReportWriter.Create(stream, leaveOpen: true))
        {
            writer.Write(new RowError(3, 3, "Add", "empty group name: entries are Group=Segment", "=cmd"));
        }

        string text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.EndsWith("3,3,Add,empty group name: entries are Group=Segment,\"'=cmd\"\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_EveryErrorOfAFile_OneRecordEach()
    {
        string text = OnboardingTestFiles.Header + "FOO,x,,\nHEMSHA2,x,,\n";
        using OnboardingFileReader reader = OnboardingFileReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(text)), "in.csv");
        var stream = new MemoryStream();
        using (RejectReportWriter writer = RejectReportWriter.Create(stream, leaveOpen: true))
        {
            while (reader.TryReadNext(out _, out RowError? error))
            {
                writer.Write(error!);
            }
        }

        string[] lines = Encoding.UTF8.GetString(stream.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("2,1,ID Type,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("3,2,ID,", lines[2], StringComparison.Ordinal);
    }
}
