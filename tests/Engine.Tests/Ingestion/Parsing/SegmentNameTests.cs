using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Engine.Tests.Ingestion.Parsing;

public class SegmentNameTests
{
    [Fact]
    public void TryParse_SplitsAtFirstEqualsAndTrims()
    {
        Assert.True(SegmentName.TryParse("  Loyalty Program 2022 = Gold=Plus ", out SegmentName? name));
        Assert.Equal("Loyalty Program 2022", name.Group);
        Assert.Equal("Gold=Plus", name.Segment);
        Assert.Equal("Loyalty Program 2022=Gold=Plus", name.ToString());
    }

    [Fact]
    public void Equality_IsByValue() =>
        Assert.Equal(SegmentName.Parse("A=B"), new SegmentName(" A", "B "));

    [Theory]
    [InlineData("NoEquals", "missing '=' in 'NoEquals': entries are Group=Segment")]
    [InlineData(" =Q1", "empty group name: entries are Group=Segment")]
    [InlineData("G= ", "empty segment name: entries are Group=Segment")]
    [InlineData("G=a\u0001b", "control character U+0001 at position 2 of the segment name")]
    [InlineData("G\u007f=b", "control character U+007F at position 2 of the group name")]
    public void TryParse_Invalid_SaysWhy(string text, string reason)
    {
        Assert.False(SegmentName.TryParse(text, out _, out string? error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void TryParse_GroupOf280Characters_Accepted_281Rejected()
    {
        Assert.True(SegmentName.TryParse(new string('g', 280) + "=s", out _));
        Assert.False(SegmentName.TryParse(new string('g', 281) + "=s", out _, out string? error));
        Assert.Equal("group name is 281 characters long, the limit is 280", error);
    }

    [Fact]
    public void TryParse_GroupLength_CountsCharactersNotUtf16Units()
    {
        string emoji = string.Concat(Enumerable.Repeat("😀", 280));
        Assert.True(SegmentName.TryParse(emoji + "=s", out _));
    }

    [Fact]
    public void TryParse_LongSegment_HasNoLimit() =>
        Assert.True(SegmentName.TryParse("G=" + new string('s', 100_000), out _));

    [Fact]
    public void Constructor_Invalid_Throws() =>
        Assert.Throws<ArgumentException>(() => new SegmentName("", "x"));
}
