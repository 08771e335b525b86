using System.Security.Cryptography;
using System.Text;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Ingestion.Parsing;
using static Onboarding.Engine.Tests.Ingestion.Parsing.OnboardingTestFiles;

namespace Onboarding.Engine.Tests.Ingestion.Parsing;

public class OnboardingFileReaderTests
{
    private static readonly string A = Sha2("a");
    private static readonly string B = Sha2("b");

    [Theory]
    [InlineData(',')]
    [InlineData('\t')]
    [InlineData('|')]
    public void Read_EachDelimiter_RecognisedFromTheHeader(char d)
    {
        ParsedFile file = Read($"ID Type{d}ID{d}Add{d}Remove\nHEMSHA2{d}{A}{d}Loyalty=Gold{d}Loyalty=Silver\nHEMSHA2{d}{B}{d}{d}\n");

        Assert.Equal(d, file.Delimiter);
        Assert.Empty(file.Errors);
        Assert.Equal([(2L, IdType.HemSha2, A), (3L, IdType.HemSha2, B)], file.Rows.Select(r => (r.Line, r.IdType, r.Id)));
        Assert.Equal(["Loyalty=Gold"], file.Rows[0].Adds);
        Assert.Equal(["Loyalty=Silver"], file.Rows[0].Removes);
        Assert.Empty(file.Rows[1].Adds);
        Assert.Empty(file.Rows[1].Removes);
    }

    [Fact]
    public void Read_QuotedCells_DoubledQuotesAndEmbeddedSeparators()
    {
        ParsedFile file = Read(Header + $"\"HEMSHA2\",\"{A}\",\"G=Say \"\"hi\"\";x=y=z\",\"a,b=c\"\n");

        ParsedRow row = Assert.Single(file.Rows);
        Assert.Equal(["G=Say \"hi\"", "x=y=z"], row.Adds);
        Assert.Equal(["a,b=c"], row.Removes);
    }

    [Fact]
    public void Read_EscapedSemicolon_IsLiteral()
    {
        ParsedRow row = Assert.Single(Read(Header + $"HEMSHA2,{A},G=a\\;b;H=c,\n").Rows);
        Assert.Equal(["G=a;b", "H=c"], row.Adds);
    }

    [Fact]
    public void Read_EntriesTrimmedEmptyEntriesIgnoredDuplicatesOnce()
    {
        ParsedRow row = Assert.Single(Read(Header + $"HEMSHA2,{A}, G = S ;; G=S ;,\n").Rows);
        Assert.Equal(["G=S"], row.Adds);
    }

    [Fact]
    public void Read_ByteOrderMarkAndCrlf_Accepted()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes($"ID Type,ID,Add,Remove\r\nHEMSHA2,{A},G=S,\r\n\r\nHEMSHA2,{B},,G=S\r\n")];
        ParsedFile file = Read(bytes);

        Assert.True(file.HasByteOrderMark);
        Assert.Empty(file.Errors);
        Assert.Equal([2L, 4L], file.Rows.Select(r => r.Line));
        Assert.Equal(["G=S"], file.Rows[1].Removes);
    }

    [Fact]
    public void Read_HeaderCaseInsensitiveWithExtraSpaces_Accepted()
    {
        ParsedFile file = Read($"  id   TYPE ,Id, add ,REMOVE  \nhemsha2,{A},G=S,\n");
        Assert.Equal(IdType.HemSha2, Assert.Single(file.Rows).IdType);
    }

    [Fact]
    public void Read_UppercaseHexAndSpacesAroundId_Normalised()
    {
        ParsedRow row = Assert.Single(Read(Header + $"HEMSHA2,  {A.ToUpperInvariant()} ,G=S,\n").Rows);
        Assert.Equal(A, row.Id);
    }

    [Fact]
    public void Read_EveryIdType_DecodedAndNormalised()
    {
        ParsedFile file = Read(Header +
            $"HEMSHA1,{A[..40].ToUpperInvariant()},G=S,\n" +
            $"HEMMD5,{A[..32]},G=S,\n" +
            "MAID,0123ABCD-4567-89AB-CDEF-0123456789AB,G=S,\n" +
            "IP,0.0.0.0,G=S,\n" +
            "ip,255.255.255.255,G=S,\n");

        Assert.Empty(file.Errors);
        Assert.Equal(
            [(IdType.HemSha1, A[..40]), (IdType.HemMd5, A[..32]), (IdType.Maid, "0123abcd-4567-89ab-cdef-0123456789ab"), (IdType.Ip, "0.0.0.0"), (IdType.Ip, "255.255.255.255")],
            file.Rows.Select(r => (r.IdType, r.Id)));
    }

    [Theory]
    [InlineData("256.1.1.1", "malformed IP: the first number '256' is greater than 255")]
    [InlineData("01.2.3.4", "malformed IP: the first number '01' has a leading zero")]
    [InlineData("1.2.3", "malformed IP: expected 4 numbers separated by dots, got 3")]
    public void Read_BadIp_RowError(string ip, string reason)
    {
        RowError error = SingleError($"IP,{ip},G=S,\n");
        Assert.Equal(new RowError(2, 2, "ID", reason, ip), error);
    }

    [Fact]
    public void Read_EmailByDefault_RejectedWithoutCopyingTheAddress()
    {
        RowError error = SingleError("EMAIL,Foo@Example.com,G=S,\n");
        Assert.Equal(
            new RowError(2, 1, "ID Type", "plaintext e-mail addresses are not accepted: send HEMSHA2 (SHA-256 of the trimmed, lowercased address)", "EMAIL"),
            error);
    }

    [Fact]
    public void Read_EmailWithHashEmails_HashedToHemSha2()
    {
        using OnboardingFileReader reader = OnboardingFileReader.Open(
            new MemoryStream(Encoding.UTF8.GetBytes(Header + "email,\"  Foo@Example.COM \",G=S,\n")),
            "test.csv",
            OnboardingReadOptions.Default with { HashEmails = true });

        Assert.True(reader.TryReadNext(out OnboardingRow row, out RowError? error));
        Assert.Null(error);
        Assert.Equal(IdType.HemSha2, row.IdType);
        Assert.True(row.IsHashedEmail);
        Assert.Equal(SHA256.HashData("foo@example.com"u8), row.Id.ToArray());
        Assert.Equal(1, reader.EmailsHashed);
    }

    [Fact]
    public void Read_EmailWithHashEmails_NotAnAddress_Rejected()
    {
        RowError error = SingleError("EMAIL,nobody,G=S,\n", OnboardingReadOptions.Default with { HashEmails = true });
        Assert.Equal(new RowError(2, 2, "ID", "not an e-mail address: no '@'", "EMAIL"), error);
    }

    [Fact]
    public void Read_SameSegmentInAMillionRows_OneInstance()
    {
        var text = new StringBuilder(Header);
        for (int i = 0; i < 1000; i++)
        {
            text.Append($"HEMSHA2,{Sha2(i.ToString(System.Globalization.CultureInfo.InvariantCulture))},{(i % 2 == 0 ? "G=S" : " G = S ;G=T")},\n");
        }

        using OnboardingFileReader reader = OnboardingFileReader.Open(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())), "x.csv");
        var seen = new HashSet<SegmentName>(ReferenceEqualityComparer.Instance);
        while (reader.TryReadNext(out OnboardingRow row, out RowError? error))
        {
            Assert.Null(error);
            foreach (SegmentName name in row.Adds)
            {
                seen.Add(name);
            }

            Assert.Equal(0, row.AddIndexes[0]);
        }

        Assert.Equal(2, seen.Count);
        Assert.Equal([SegmentName.Parse("G=S"), SegmentName.Parse("G=T")], reader.Segments);
        Assert.Equal(1000, reader.RowsAccepted);
    }

    [Fact]
    public void Read_ManyDistinctCellsBeyondTheCache_StillCorrect()
    {
        var text = new StringBuilder(Header);
        for (int i = 0; i < 50; i++)
        {
            text.Append($"HEMSHA2,{A},G=S{i};G=T,G=R{i % 3}\n");
        }

        ParsedFile file = Read(text.ToString(), OnboardingReadOptions.Default with { MaxCachedCells = 4 });
        Assert.Equal(50, file.Rows.Count);
        Assert.Equal(["G=S49", "G=T"], file.Rows[49].Adds);
        Assert.Equal(["G=R1"], file.Rows[49].Removes);
        Assert.Equal(50 + 1 + 3, file.Segments.Count);
    }

    [Fact]
    public void Read_ErrorsAreCollected_ReadingGoesOn()
    {
        ParsedFile file = Read(Header + $"HEMSHA2,{A},G=S,\nFOO,{A},G=S,\nHEMSHA2,{B},,G=S\n");

        Assert.Equal(3, file.RowsRead);
        Assert.Equal(1, file.RowsRejected);
        Assert.Equal([2L, 4L], file.Rows.Select(r => r.Line));
        Assert.Equal(3, Assert.Single(file.Errors).Line);
    }

    [Fact]
    public void Open_Path_ReadsTheFile()
    {
        using var temp = new TempFolder();
        string path = temp.File("HEMSHA2_acme_20240101.csv");
        File.WriteAllText(path, $"ID Type|ID|Add|Remove\nHEMSHA2|{A}|G=S|\n");
        using OnboardingFileReader reader = OnboardingFileReader.Open(path);
        ParsedFile file = ReadAll(reader);
        Assert.Equal(path, reader.FileName);
        Assert.Equal(["ID Type", "ID", "Add", "Remove"], reader.Header);
        Assert.Single(file.Rows);
    }
}
