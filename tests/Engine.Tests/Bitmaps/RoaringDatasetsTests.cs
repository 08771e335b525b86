using Onboarding.Testing;

namespace Onboarding.Engine.Tests.Bitmaps;

public class RoaringDatasetsTests
{
    [Theory]
    [MemberData(nameof(RoaringTestData.SmallDatasetNames), MemberType = typeof(RoaringTestData))]
    public void Load_SmallDataset_Has200StrictlyAscendingBitmaps(string name)
    {
        uint[][] bitmaps = RoaringTestData.Dataset(name);

        Assert.Equal(200, bitmaps.Length);
        Assert.All(bitmaps, b => Assert.NotEmpty(b));
        foreach (uint[] values in bitmaps)
        {
            for (int i = 1; i < values.Length; i++)
            {
                Assert.True(values[i - 1] < values[i]);
            }
        }
    }

    [Fact]
    public void Parse_CommaSeparatedWithNewline_ReadsValues() =>
        Assert.Equal([0u, 7u, 4294967295u], RoaringDatasets.Parse("0,7,4294967295\n"u8, "t"));

    [Theory]
    [InlineData("3,2")]
    [InlineData("1,1")]
    [InlineData("4294967296")]
    [InlineData("1;2")]
    public void Parse_InvalidText_Throws(string text) =>
        Assert.Throws<InvalidDataException>(() => RoaringDatasets.Parse(System.Text.Encoding.ASCII.GetBytes(text), "t"));
}
