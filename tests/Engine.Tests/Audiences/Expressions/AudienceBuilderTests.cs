using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Engine.Tests.Audiences.Expressions;

public class AudienceBuilderTests
{
    private static AudienceBuilderRow Row(string text, bool included = true) =>
        new((AudienceTerm)AudienceExpression.Parse(text), included);

    [Theory]
    [InlineData(AudienceMatch.All, "\"Loyalty=Gold\" AND NOT \"Region=North\" AND \"Channel=*\" AND NOT @\"Churned\"")]
    [InlineData(AudienceMatch.Any, "\"Loyalty=Gold\" OR NOT \"Region=North\" OR \"Channel=*\" OR NOT @\"Churned\"")]
    public void ToExpression_Rows_JoinedByMatchWithExcludedRowsNegated(AudienceMatch match, string canonical)
    {
        AudienceBuilder builder = AudienceBuilder.Of(
            match, Row("\"Loyalty=Gold\""), Row("\"Region=North\"", included: false), Row("\"Channel=*\""), Row("@\"Churned\"", included: false));

        AudienceExpression expression = builder.ToExpression();

        Assert.Equal(canonical, expression.ToString());
        Assert.Equal(canonical, builder.ToString());
        Assert.True(AudienceBuilder.TryFrom(AudienceExpression.Parse(canonical), out AudienceBuilder? back));
        Assert.Equal(match, back.Match);
        Assert.Equal(builder.Rows, back.Rows);
    }

    [Theory]
    [InlineData("\"A=1\"", AudienceMatch.All, 1)]
    [InlineData("NOT \"A=1\"", AudienceMatch.All, 1)]
    [InlineData("NOT \"A=1\" and not \"A=2\"", AudienceMatch.All, 2)]
    [InlineData("@\"x\" OR \"A=*\" OR NOT \"A=2\"", AudienceMatch.Any, 3)]
    public void TryFrom_FlatShape_ReadsBackAndRoundTrips(string text, AudienceMatch match, int rows)
    {
        AudienceExpression expression = AudienceExpression.Parse(text);

        Assert.True(AudienceBuilder.TryFrom(expression, out AudienceBuilder? builder));

        Assert.Equal(match, builder.Match);
        Assert.Equal(rows, builder.Rows.Count);
        Assert.Equal(expression, builder.ToExpression());
    }

    [Theory]
    [InlineData("\"A=1\" AND (\"A=2\" OR \"A=3\")")]
    [InlineData("NOT (\"A=1\" AND \"A=2\")")]
    [InlineData("NOT NOT \"A=1\"")]
    [InlineData("\"A=1\" OR \"A=2\" AND \"A=3\"")]
    public void TryFrom_NestedShape_NeedsTheTextEditor(string text)
    {
        Assert.False(AudienceBuilder.TryFrom(AudienceExpression.Parse(text), out AudienceBuilder? builder));
        Assert.Null(builder);
    }

    [Fact]
    public void ToExpression_OneRow_IsTheRowWhateverTheMatch()
    {
        AudienceBuilder any = AudienceBuilder.Of(AudienceMatch.Any, Row("\"A=1\"", included: false));

        Assert.Equal(new NotExpression(new SegmentTerm(new SegmentName("A", "1"))), any.ToExpression());
        Assert.True(AudienceBuilder.TryFrom(any.ToExpression(), out AudienceBuilder? back));
        Assert.Equal(AudienceMatch.All, back.Match);
        Assert.Equal(any.Rows, back.Rows);
    }

    [Fact]
    public void ToExpression_NoRows_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new AudienceBuilder().ToExpression());
        Assert.Equal(string.Empty, new AudienceBuilder().ToString());
    }
}
