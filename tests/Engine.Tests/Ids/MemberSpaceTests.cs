using Onboarding.Engine.Ids;

namespace Onboarding.Engine.Tests.Ids;

public class MemberSpaceTests
{
    public static TheoryData<IdType> Types => [.. IdTypes.All];

    [Theory]
    [MemberData(nameof(Types))]
    public void ToMember_FromMember_RoundTripsRangeEdges(IdType type)
    {
        foreach (uint ordinal in new[] { 0u, 1u, MemberSpace.Capacity(type) - 1 })
        {
            uint member = MemberSpace.ToMember(type, ordinal);
            Assert.Equal((type, ordinal), MemberSpace.FromMember(member));
        }
    }

    [Fact]
    public void Ranges_CoverTheWhole32BitSpaceWithoutOverlap()
    {
        long total = 0;
        foreach (IdType type in IdTypes.All.OrderBy(MemberSpace.Start))
        {
            Assert.Equal(total, MemberSpace.Start(type));
            total += MemberSpace.Capacity(type);
        }

        Assert.Equal(1L << 32, total);
    }

    [Fact]
    public void ToMember_BeyondCapacity_ThrowsClearError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MemberSpace.ToMember(IdType.Maid, 1u << 29));
        Assert.Contains("MAID ID space", error.Message, StringComparison.Ordinal);
    }
}
