using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Engine.Tests.Audiences.Expressions;

public class AudienceExpressionParserTests
{
    private static SegmentTerm S(string group, string segment) => new(new SegmentName(group, segment));

    [Fact]
    public void Parse_MixedOperators_NotBindsTighterThanAndTighterThanOr()
    {
        AudienceExpression parsed = AudienceExpression.Parse("\"A=1\" OR \"A=2\" AND NOT \"B=1\" OR \"B=2\"");

        var expected = new OrExpression(S("A", "1"), new AndExpression(S("A", "2"), new NotExpression(S("B", "1"))), S("B", "2"));
        Assert.Equal(expected, parsed);
    }

    [Fact]
    public void Parse_OperatorsInAnyCase_CanonicalIsUppercase()
    {
        AudienceExpression parsed = AudienceExpression.Parse("\"a=1\" and not \"b=2\" Or \"c=3\" aNd NoT \"d=4\"");

        Assert.Equal("\"a=1\" AND NOT \"b=2\" OR \"c=3\" AND NOT \"d=4\"", parsed.ToString());
        Assert.Equal(parsed.ToString(), parsed.Canonical);
    }

    [Theory]
    [InlineData("(\"A=1\" AND \"A=2\") AND (\"A=3\" AND \"A=4\")", "\"A=1\" AND \"A=2\" AND \"A=3\" AND \"A=4\"")]
    [InlineData("\"A=1\" OR (\"A=2\" OR (\"A=3\" OR \"A=4\"))", "\"A=1\" OR \"A=2\" OR \"A=3\" OR \"A=4\"")]
    [InlineData("((\"A=1\")) OR (\"A=2\" AND \"A=3\")", "\"A=1\" OR \"A=2\" AND \"A=3\"")]
    [InlineData("(\"A=1\" OR \"A=2\") AND NOT (\"B=1\" OR \"B=2\")", "(\"A=1\" OR \"A=2\") AND NOT (\"B=1\" OR \"B=2\")")]
    [InlineData("NOT (\"A=1\" AND \"A=2\") OR NOT (NOT \"A=3\")", "NOT (\"A=1\" AND \"A=2\") OR NOT NOT \"A=3\"")]
    [InlineData("not not \"A=1\"", "NOT NOT \"A=1\"")]
    [InlineData("NOT\"A=1\"AND@\"x\"OR(\"B=2\")", "NOT \"A=1\" AND @\"x\" OR \"B=2\"")]
    [InlineData("  \"A=1\"\n\tAND\r\n\"A=2\"  ", "\"A=1\" AND \"A=2\"")]
    [InlineData("(\"A=1\" AND (\"A=2\" OR \"A=3\" AND (\"A=4\" OR \"A=5\")))", "\"A=1\" AND (\"A=2\" OR \"A=3\" AND (\"A=4\" OR \"A=5\"))")]
    public void Parse_Text_CanonicalHasMinimalParenthesesAndFlatChains(string text, string canonical)
    {
        AudienceExpression parsed = AudienceExpression.Parse(text);

        Assert.Equal(canonical, parsed.ToString());
        Assert.Equal(parsed, AudienceExpression.Parse(canonical));
    }

    [Fact]
    public void Parse_SpacesInsideQuotes_PartsAreTrimmed()
    {
        AudienceExpression parsed = AudienceExpression.Parse("\" Loyalty Program 2022 =  Gold \"");

        Assert.Equal(S("Loyalty Program 2022", "Gold"), parsed);
        Assert.Equal("\"Loyalty Program 2022=Gold\"", parsed.ToString());
    }

    [Fact]
    public void Parse_Escapes_AreDecodedAndCanonicalReEscapes()
    {
        const string Text = "\"Say \\\"hi\\\"=back\\\\slash\"";

        AudienceExpression parsed = AudienceExpression.Parse(Text);

        Assert.Equal(S("Say \"hi\"", "back\\slash"), parsed);
        Assert.Equal(Text, parsed.ToString());
    }

    [Fact]
    public void Parse_SeveralEquals_SplitsAtTheFirst()
    {
        Assert.Equal(S("A", "b=c"), AudienceExpression.Parse("\"A = b=c\""));
    }

    [Fact]
    public void Parse_Wildcard_IsTheWholeGroup()
    {
        AudienceExpression parsed = AudienceExpression.Parse("\" Loyalty = * \" AND NOT \"Region=*\"");

        Assert.Equal(new AndExpression(new GroupTerm("Loyalty"), new NotExpression(new GroupTerm("Region"))), parsed);
        Assert.Equal("\"Loyalty=*\" AND NOT \"Region=*\"", parsed.ToString());
        Assert.Equal(new HashSet<string> { "Loyalty", "Region" }, parsed.ReferencedGroups);
        Assert.Empty(parsed.ReferencedSegments);
    }

    [Fact]
    public void Parse_References_AreTrimmedAndReQuoted()
    {
        AudienceExpression parsed = AudienceExpression.Parse("@\" High value \" OR @\"Say \\\"x\\\"\"");

        Assert.Equal(new OrExpression(new ReferenceTerm("High value"), new ReferenceTerm("Say \"x\"")), parsed);
        Assert.Equal("@\"High value\" OR @\"Say \\\"x\\\"\"", parsed.ToString());
    }

    [Fact]
    public void Referenced_MixedExpression_CollectsEachKindOnce()
    {
        AudienceExpression parsed = AudienceExpression.Parse(
            "(\"A=1\" OR \"A=2\" OR \"B=*\") AND NOT (@\"X\" OR \"A=1\") AND @\"Y\" AND NOT NOT @\"X\"");

        Assert.Equal(new HashSet<SegmentName> { new("A", "1"), new("A", "2") }, parsed.ReferencedSegments);
        Assert.Equal(new HashSet<string> { "B" }, parsed.ReferencedGroups);
        Assert.Equal(new HashSet<string> { "X", "Y" }, parsed.ReferencedAudiences);
        Assert.True(parsed.Uses(new SegmentName("A", "2")));
        Assert.True(parsed.Uses(new SegmentName("B", "anything")));
        Assert.False(parsed.Uses(new SegmentName("A", "3")));
    }

    [Fact]
    public void Equality_SameTreeFromDifferentText_IgnoresPositions()
    {
        AudienceExpression a = AudienceExpression.Parse("(\"A=1\") and (\"A=2\" or not \"A=3\")");
        AudienceExpression b = AudienceExpression.Parse("\"A=1\" AND (\"A=2\" OR NOT \"A=3\")");
        var built = new AndExpression(S("A", "1"), new OrExpression(S("A", "2"), new NotExpression(S("A", "3"))));

        Assert.Equal(a, b);
        Assert.Equal(built, a);
        Assert.Equal(built.GetHashCode(), a.GetHashCode());
        Assert.NotEqual<AudienceExpression>(new AndExpression(S("A", "1"), S("A", "2")), new OrExpression(S("A", "1"), S("A", "2")));
        Assert.NotEqual<AudienceExpression>(new AndExpression(S("A", "1"), S("A", "2")), new AndExpression(S("A", "2"), S("A", "1")));
    }

    [Fact]
    public void Constructors_NestedChains_AreFlattened()
    {
        var and = new AndExpression(new AndExpression(S("A", "1"), S("A", "2")), S("A", "3"));

        Assert.Equal(3, and.Operands.Count);
        Assert.Throws<ArgumentException>(() => new AndExpression(S("A", "1")));
        Assert.Throws<ArgumentException>(() => new SegmentTerm(new SegmentName("A", "*")));
        Assert.Throws<ArgumentException>(() => new GroupTerm("A=B"));
    }

    [Fact]
    public void Parse_NestingAtTheLimit_Parses()
    {
        int depth = AudienceExpressionParser.MaxDepth;
        string text = new string('(', depth) + "\"A=1\"" + new string(')', depth);

        Assert.Equal(S("A", "1"), AudienceExpression.Parse(text));
    }

    [Fact]
    public void TryParse_BadText_ReturnsTheError()
    {
        Assert.False(AudienceExpression.TryParse("\"A=1\" AND", out AudienceExpression? expression, out AudienceExpressionException? error));
        Assert.Null(expression);
        Assert.Equal(AudienceExpressionError.MissingOperand, error.Error);
        Assert.True(AudienceExpression.TryParse("\"A=1\"", out expression, out error));
        Assert.Null(error);
    }

    public static TheoryData<string, AudienceExpressionError, int, int, string> Errors => new()
    {
        { "", AudienceExpressionError.EmptyExpression, 1, 0, "column 1: empty expression: write a segment such as \"Group=Segment\"" },
        { "   ", AudienceExpressionError.EmptyExpression, 1, 3, "column 1: empty expression: write a segment such as \"Group=Segment\"" },
        { "\"A=1\" AND \"Loyalty=Gold", AudienceExpressionError.UnterminatedQuote, 11, 13, "column 11: unterminated quote: \"Loyalty=Gold has no closing \"" },
        { "@\"High", AudienceExpressionError.UnterminatedQuote, 2, 5, "column 2: unterminated quote: \"High has no closing \"" },
        { "\"A=1\\\"", AudienceExpressionError.UnterminatedQuote, 1, 6, "column 1: unterminated quote: \"A=1\\\" has no closing \"" },
        { "\"A=1\" OR \"LoyaltyGold\"", AudienceExpressionError.MissingEquals, 10, 13, "column 10: missing \"=\" in \"LoyaltyGold\": a segment is written \"Group=Segment\" and a whole group \"Group=*\"" },
        { "\"A=x\\y\"", AudienceExpressionError.InvalidEscape, 5, 2, "column 5: invalid escape \"\\y\": inside quotes only \\\" and \\\\ are escapes" },
        { "\" =Gold\"", AudienceExpressionError.InvalidName, 1, 8, "column 1: empty group name in \" =Gold\"" },
        { "\"Loyalty= \"", AudienceExpressionError.InvalidName, 1, 11, "column 1: empty segment name in \"Loyalty= \": write \"Group=Segment\", or \"Group=*\" for the whole group" },
        { "\"A=b\u0001\"", AudienceExpressionError.InvalidName, 1, 6, "column 1: invalid segment name \"A=b\u0001\": control character U+0001 at position 2 of the segment name" },
        { "\"A=1\" OR @\" \"", AudienceExpressionError.InvalidName, 10, 4, "column 10: empty audience name in @\" \"" },
        { "\"A=1\" \"A=2\"", AudienceExpressionError.UnexpectedToken, 7, 5, "column 7: unexpected \"A=2\": expected AND, OR or the end" },
        { "\"A=1\" NOT \"A=2\"", AudienceExpressionError.UnexpectedToken, 7, 3, "column 7: unexpected \"NOT\": expected AND, OR or the end (to exclude, write AND NOT or OR NOT)" },
        { "(\"A=1\" \"A=2\")", AudienceExpressionError.UnexpectedToken, 8, 5, "column 8: unexpected \"A=2\": expected AND, OR or \")\"" },
        { "\"A=1\" (\"A=2\")", AudienceExpressionError.UnexpectedToken, 7, 1, "column 7: unexpected \"(\": expected AND, OR or the end" },
        { "Loyalty=Gold", AudienceExpressionError.UnexpectedToken, 1, 7, "column 1: unexpected word \"Loyalty\": segments are quoted, as in \"Group=Segment\"" },
        { "\"A=1\" && \"A=2\"", AudienceExpressionError.UnexpectedToken, 7, 1, "column 7: unexpected character \"&\"; write AND" },
        { "\"A=1\" = \"A=2\"", AudienceExpressionError.UnexpectedToken, 7, 1, "column 7: unexpected character \"=\"" },
        { "'A=1'", AudienceExpressionError.UnexpectedToken, 1, 1, "column 1: unexpected character \"'\"; quote names with \"" },
        { "\"A=1\" OR @High", AudienceExpressionError.UnexpectedToken, 10, 1, "column 10: unexpected \"@\": an audience reference is written @\"Audience name\"" },
        { "\"A=1\" AND", AudienceExpressionError.MissingOperand, 7, 3, "column 7: AND without a right operand" },
        { "\"A=1\" and or \"A=2\"", AudienceExpressionError.MissingOperand, 7, 3, "column 7: AND without a right operand" },
        { "(\"A=1\" OR)", AudienceExpressionError.MissingOperand, 8, 2, "column 8: OR without a right operand" },
        { "OR \"A=1\"", AudienceExpressionError.MissingOperand, 1, 2, "column 1: OR without a left operand" },
        { "(AND \"A=1\")", AudienceExpressionError.MissingOperand, 2, 3, "column 2: AND without a left operand" },
        { "NOT", AudienceExpressionError.MissingOperand, 1, 3, "column 1: NOT without an operand" },
        { "\"A=1\" AND NOT )", AudienceExpressionError.MissingOperand, 11, 3, "column 11: NOT without an operand" },
        { "\"A=1\" AND ( )", AudienceExpressionError.MissingOperand, 11, 3, "column 11: empty parentheses" },
        { "(\"A=1\" OR \"A=2\"", AudienceExpressionError.UnbalancedParenthesis, 1, 1, "column 1: unbalanced parenthesis: this \"(\" is never closed" },
        { "((\"A=1\") OR (\"A=2\"", AudienceExpressionError.UnbalancedParenthesis, 13, 1, "column 13: unbalanced parenthesis: this \"(\" is never closed" },
        { "\"A=1\")", AudienceExpressionError.UnbalancedParenthesis, 6, 1, "column 6: unbalanced parenthesis: this \")\" has no matching \"(\"" },
        { ") \"A=1\"", AudienceExpressionError.UnbalancedParenthesis, 1, 1, "column 1: unbalanced parenthesis: this \")\" has no matching \"(\"" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Parse_BadText_ErrorNamesKindPositionAndProblem(string text, AudienceExpressionError error, int position, int length, string message)
    {
        AudienceExpressionException e = Assert.Throws<AudienceExpressionException>(() => AudienceExpression.Parse(text));

        Assert.Equal(message, e.Message);
        Assert.Equal(error, e.Error);
        Assert.Equal(position, e.Position);
        Assert.Equal(length, e.Length);
        Assert.Equal(message, $"column {position}: {e.Problem}");
    }

    [Fact]
    public void Parse_TooDeep_ErrorAtTheFirstLevelOverTheLimit()
    {
        int depth = AudienceExpressionParser.MaxDepth + 1;
        string text = new string('(', depth) + "\"A=1\"" + new string(')', depth);

        AudienceExpressionException e = Assert.Throws<AudienceExpressionException>(() => AudienceExpression.Parse(text));

        Assert.Equal($"column {depth}: parentheses and NOTs nested more than {AudienceExpressionParser.MaxDepth} deep", e.Message);
        Assert.Equal(AudienceExpressionError.TooDeep, e.Error);
    }

    [Fact]
    public void Parse_LongToken_IsShortenedInTheMessage()
    {
        string word = new('x', 100);

        AudienceExpressionException e = Assert.Throws<AudienceExpressionException>(() => AudienceExpression.Parse(word));

        Assert.Equal($"column 1: unexpected word \"{new string('x', 59)}…\": segments are quoted, as in \"Group=Segment\"", e.Message);
        Assert.Equal(100, e.Length);
    }
}
