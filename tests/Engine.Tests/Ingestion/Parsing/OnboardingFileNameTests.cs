using Onboarding.Engine.Ids;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Engine.Tests.Ingestion.Parsing;

public class OnboardingFileNameTests
{
    [Theory]
    [InlineData("HEMSHA2_acme_20240131.csv", IdType.HemSha2, "acme", 2024, 1, 31)]
    [InlineData("/inbox/acme/hemmd5_acme_corp_20231201.csv.gz", IdType.HemMd5, "acme_corp", 2023, 12, 1)]
    [InlineData("MAID_brand-1_20240229.tsv", IdType.Maid, "brand-1", 2024, 2, 29)]
    [InlineData("IP_x_19991231", IdType.Ip, "x", 1999, 12, 31)]
    public void TryParse_Convention_Recognised(string file, IdType type, string client, int year, int month, int day)
    {
        Assert.True(OnboardingFileName.TryParse(file, out OnboardingFileName? name));
        Assert.Equal(new OnboardingFileName(type, client, new DateOnly(year, month, day)), name);
    }

    [Theory]
    [InlineData("acme.csv")]
    [InlineData("HEMSHA2_20240131.csv")]
    [InlineData("EMAIL_acme_20240131.csv")]
    [InlineData("HEMSHA2_acme_20240230.csv")]
    [InlineData("HEMSHA2_acme_2024013.csv")]
    [InlineData("HEMSHA2_ac me_20240131.csv")]
    [InlineData("")]
    public void TryParse_OtherNames_NotRecognised(string file) =>
        Assert.False(OnboardingFileName.TryParse(file, out _));

    [Fact]
    public void ToString_WritesTheConvention() =>
        Assert.Equal("HEMSHA1_acme_20240105.csv", new OnboardingFileName(IdType.HemSha1, "acme", new DateOnly(2024, 1, 5)).ToString());
}
