using System.Text;
using Onboarding.Engine.Ingestion.Parsing;
using Onboarding.Testing.Fuzzing;

namespace Onboarding.Engine.Tests.Ingestion.Parsing;

/// <summary>
/// A seeded fuzz campaign on the row parser (<see cref="OnboardingFileFuzzer"/>), and the input limits: any input is
/// read to its end as valid rows and located row errors, or refused with an <see cref="OnboardingFileException"/>;
/// never another exception, never a hang. The bench tool's <c>fuzz parser</c> runs the same campaign for longer.
/// </summary>
public sealed class OnboardingFileFuzzTests
{
    private const int Cases = 3000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData(20261123)]
    [InlineData(1)]
    [InlineData(2)]
    public void Reader_HostileInput_GivesRowsRowErrorsOrAFileError_NeverAnythingElse(int seed)
    {
        FuzzReport report = FuzzCampaign.Run("parser", seed, Cases, Budget, OnboardingFileFuzzer.Generate, OnboardingFileFuzzer.Check);

        Assert.True(report.Hang is null, $"{report}: {report.Hang}");
        Assert.True(report.Failures.Count == 0, $"{report}:\n" + string.Join("\n", report.Failures));
        Assert.True(report.Accepted > Cases / 10 && report.Rejected > Cases / 10, $"the campaign should reach both outcomes: {report}");
    }

    [Fact]
    public void FileLargerThanTheLimit_IsRefusedWithTheLimitNamed()
    {
        var text = new StringBuilder(OnboardingTestFiles.Header);
        for (int i = 0; i < 100; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"HEMSHA2,{OnboardingTestFiles.Sha2($"p{i}")},G=S,\n");
        }

        var options = OnboardingReadOptions.Default with { MaxFileBytes = 2000 };
        var error = Assert.Throws<OnboardingFileException>(() => OnboardingTestFiles.Read(text.ToString(), options));

        Assert.Equal("test.csv: the file is larger than the limit of 2,000 bytes (MaxFileBytes); refused, nothing of it was applied", error.Message);
        Assert.Equal(100, OnboardingTestFiles.Read(text.ToString(), options with { MaxFileBytes = text.Length }).Rows.Count);
    }

    [Fact]
    public void RowWithThousandsOfColumns_IsOneRowError_NamingTheCount()
    {
        string row = "HEMSHA2," + new string(',', 20_000) + "\n";

        ParsedFile file = OnboardingTestFiles.Read(OnboardingTestFiles.Header + row + $"HEMSHA2,{OnboardingTestFiles.Sha2("ok")},G=S,\n");

        RowError error = Assert.Single(file.Errors);
        Assert.Equal((2L, RowError.WholeRow), (error.Line, error.Column));
        Assert.True(error.Reason.StartsWith("wrong number of columns: got 20002, expected 4", StringComparison.Ordinal), error.Reason);
        Assert.Single(file.Rows);
    }

    /// <summary>Found by the campaign (parser seed 2, case 31): an empty ID type before any valid row crashed the reader.</summary>
    [Theory]
    [InlineData(",abc,G=S,\n")]
    [InlineData(" \t,abc,G=S,\n")]
    [InlineData(",,,\nHEMSHA2,{A},G=S,\n,,,\n")]
    public void EmptyIdTypeCell_BeforeOrAfterValidRows_IsARowError(string rows)
    {
        ParsedFile file = OnboardingTestFiles.Read(OnboardingTestFiles.Header + rows.Replace("{A}", OnboardingTestFiles.Sha2("a"), StringComparison.Ordinal));

        Assert.NotEmpty(file.Errors);
        Assert.All(file.Errors, e => Assert.Equal((1, "empty ID type: expected HEMSHA2, HEMSHA1, HEMMD5, MAID or IP"), (e.Column, e.Reason)));
        Assert.Equal(file.RowsRead - file.Errors.Count, file.Rows.Count);
    }
}
