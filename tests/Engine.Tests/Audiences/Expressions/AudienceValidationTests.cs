using Onboarding.Engine.Audiences.Expressions;

namespace Onboarding.Engine.Tests.Audiences.Expressions;

public class AudienceValidationTests
{
    private static InMemoryAudienceSources CreateSources() => new InMemoryAudienceSources()
        .AddSegment("Loyalty", "Gold", 1, 2)
        .AddSegment("Loyalty", "Silver", 3)
        .AddSegment("Loyalty", "Bronze", 4)
        .AddSegment("Region", "North", 1, 3)
        .AddSegment("Region", "South", 2, 4)
        .AddSegment("Tier", "T1", 1)
        .AddSegment("Tier", "T2", 2)
        .AddSegment("Tier", "T3", 3)
        .AddSegment("Tier", "T4", 4)
        .AddSnapshot("Frozen", 1, 99)
        .AddAudience("High value", "\"Loyalty=Gold\" OR \"Loyalty=Silver\"")
        .AddAudience("Broken", "\"Region=North\" AND \"Loyalty=Gld\"")
        .AddAudience("Unparsable", "\"Region=North\" AND")
        .AddAudience("A", "@\"B\" AND \"Region=North\"")
        .AddAudience("B", "\"Loyalty=*\" AND NOT @\"A\"")
        .AddAudience("C", "@\"High value\" OR @\"D\"")
        .AddAudience("D", "@\"High value\" AND @\"Frozen\"");

    private static AudienceExpressionException Fails(string text, string? audienceName = null) =>
        Assert.Throws<AudienceExpressionException>(() => AudienceExpression.Parse(text).Validate(CreateSources(), audienceName));

    [Theory]
    [InlineData("\"Loyalty=Gold\" AND NOT \"Region=*\" OR @\"Frozen\"")]
    [InlineData("@\"C\" AND @\"High value\"")]
    [InlineData("\"Tier = T1\"")]
    public void Validate_KnownNames_Passes(string text)
    {
        AudienceExpression.Parse(text).Validate(CreateSources());
    }

    [Fact]
    public void Validate_DiamondOfReferences_IsNoCycleAndResolvesEachOnce()
    {
        InMemoryAudienceSources sources = CreateSources();

        AudienceExpression.Parse("@\"C\" AND @\"D\" AND @\"High value\"").Validate(sources);

        Assert.Equal(1, sources.ReferenceCalls["High value"]);
        Assert.Equal(1, sources.ReferenceCalls["D"]);
    }

    public static TheoryData<string, AudienceExpressionError, int, string, string[]> Errors => new()
    {
        {
            "\"Region=North\" AND \"Loyalty=Gld\"", AudienceExpressionError.UnknownSegment, 20,
            "column 20: unknown segment \"Loyalty=Gld\"; did you mean \"Loyalty=Gold\"?", ["Loyalty=Gold"]
        },
        {
            "\"loyalty=gold\"", AudienceExpressionError.UnknownGroup, 1,
            "column 1: unknown group \"loyalty\" in \"loyalty=gold\"; did you mean \"Loyalty=Gold\"?", ["Loyalty=Gold"]
        },
        {
            "NOT \"Tier=T5\"", AudienceExpressionError.UnknownSegment, 5,
            "column 5: unknown segment \"Tier=T5\"; did you mean \"Tier=T1\", \"Tier=T2\" or \"Tier=T3\"?", ["Tier=T1", "Tier=T2", "Tier=T3"]
        },
        {
            "\"Region=Nort\" OR \"Region=West\"", AudienceExpressionError.UnknownSegment, 1,
            "column 1: unknown segment \"Region=Nort\"; did you mean \"Region=North\"?", ["Region=North"]
        },
        {
            "\"Regon=*\"", AudienceExpressionError.UnknownGroup, 1,
            "column 1: unknown group \"Regon\" in \"Regon=*\"; did you mean \"Region=*\"?", ["Region=*"]
        },
        { "\"Zzz=Qqq\"", AudienceExpressionError.UnknownGroup, 1, "column 1: unknown group \"Zzz\" in \"Zzz=Qqq\"", [] },
        { "\"Region=North\" OR @\"Nope\"", AudienceExpressionError.UnknownAudience, 19, "column 19: unknown audience or snapshot @\"Nope\"", [] },
        {
            "\"Region=South\" OR @\"Broken\"", AudienceExpressionError.UnknownSegment, 19,
            "column 19: in @\"Broken\": column 20: unknown segment \"Loyalty=Gld\"; did you mean \"Loyalty=Gold\"?", ["Loyalty=Gold"]
        },
        {
            "@\"Unparsable\"", AudienceExpressionError.MissingOperand, 1,
            "column 1: in @\"Unparsable\": column 16: AND without a right operand", []
        },
        { "\"Region=South\" OR @\"A\"", AudienceExpressionError.ReferenceCycle, 19, "column 19: reference cycle @\"A\" → @\"B\" → @\"A\"", [] },
        { "@\"B\"", AudienceExpressionError.ReferenceCycle, 1, "column 1: reference cycle @\"B\" → @\"A\" → @\"B\"", [] },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Validate_NameDoesNotBind_ErrorNamesPositionProblemAndSuggestions(
        string text, AudienceExpressionError error, int position, string message, string[] suggestions)
    {
        AudienceExpressionException e = Fails(text);

        Assert.Equal(message, e.Message);
        Assert.Equal(error, e.Error);
        Assert.Equal(position, e.Position);
        Assert.Equal(suggestions, e.Suggestions);
    }

    [Fact]
    public void Validate_ReferenceBackToTheAudienceBeingDefined_IsACycle()
    {
        // "High value" is stored without references; its new definition would refer to itself through C.
        AudienceExpressionException e = Fails("\"Loyalty=Gold\" OR @\"C\"", audienceName: "High value");

        Assert.Equal("column 19: reference cycle @\"High value\" → @\"C\" → @\"High value\"", e.Message);
        Assert.Equal(AudienceExpressionError.ReferenceCycle, e.Error);
        Assert.Equal(4, e.Length);
    }

    [Fact]
    public void Validate_DirectSelfReference_IsACycle()
    {
        AudienceExpressionException e = Fails("\"Loyalty=Gold\" AND NOT @\"Mine\"", audienceName: "Mine");

        Assert.Equal("column 24: reference cycle @\"Mine\" → @\"Mine\"", e.Message);
    }

    [Fact]
    public void Evaluate_Cycle_ThrowsLikeValidate()
    {
        AudienceExpressionException e = Assert.Throws<AudienceExpressionException>(
            () => AudienceEvaluator.Evaluate(AudienceExpression.Parse("@\"A\""), CreateSources()));

        Assert.Equal("column 1: reference cycle @\"A\" → @\"B\" → @\"A\"", e.Message);
    }

    [Fact]
    public void Validate_BuiltInCode_ErrorHasNoColumn()
    {
        var expression = new NotExpression(new ReferenceTerm("Nope"));

        AudienceExpressionException e = Assert.Throws<AudienceExpressionException>(() => expression.Validate(CreateSources()));

        Assert.Equal("unknown audience or snapshot @\"Nope\"", e.Message);
        Assert.Equal(0, e.Position);
    }
}
