namespace Onboarding.Engine.Audiences.Expressions;

/// <summary>What is wrong with an audience expression.</summary>
public enum AudienceExpressionError
{
    /// <summary>Not one of the kinds below (only for the standard exception constructors).</summary>
    Other = 0,

    /// <summary>Nothing but whitespace.</summary>
    EmptyExpression,

    /// <summary>A <c>"</c> that is never closed.</summary>
    UnterminatedQuote,

    /// <summary>A backslash inside quotes not followed by <c>"</c> or <c>\</c>.</summary>
    InvalidEscape,

    /// <summary>A quoted segment without <c>=</c>.</summary>
    MissingEquals,

    /// <summary>An empty group, segment or audience name, or one breaking the segment name rules.</summary>
    InvalidName,

    /// <summary>A token where it cannot be: two operands in a row, a bare word, a stray character.</summary>
    UnexpectedToken,

    /// <summary>AND/OR/NOT without an operand on the side it needs one.</summary>
    MissingOperand,

    /// <summary>A <c>(</c> never closed or a <c>)</c> never opened.</summary>
    UnbalancedParenthesis,

    /// <summary>Parentheses nested deeper than the parser allows.</summary>
    TooDeep,

    /// <summary>The group exists but has no such segment.</summary>
    UnknownSegment,

    /// <summary>The client has no such group.</summary>
    UnknownGroup,

    /// <summary><c>@"name"</c> is neither an audience nor a snapshot.</summary>
    UnknownAudience,

    /// <summary>Audience references come back to where they started.</summary>
    ReferenceCycle,
}

/// <summary>
/// An audience expression does not parse or does not bind to the client. The message reads
/// <c>column 14: unknown segment "Loyalty=Gld"; did you mean "Loyalty=Gold"?</c>; the parts are also available
/// separately for an editor to underline.
/// </summary>
public sealed class AudienceExpressionException : Exception
{
    public AudienceExpressionException()
        : this("invalid audience expression")
    {
    }

    public AudienceExpressionException(string message)
        : this(message, null)
    {
    }

    public AudienceExpressionException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Problem = message;
        Suggestions = [];
    }

    internal AudienceExpressionException(
        AudienceExpressionError error, TextSpan? span, string problem, IReadOnlyList<string>? suggestions = null, Exception? innerException = null)
        : base(Format(span, problem), innerException)
    {
        Error = error;
        Position = span is { } s ? s.Start + 1 : 0;
        Length = span?.Length ?? 0;
        Problem = problem;
        Suggestions = suggestions ?? [];
    }

    /// <summary>The kind of problem.</summary>
    public AudienceExpressionError Error { get; }

    /// <summary>1-based column of the offending token in the text; 0 when the expression was built in code.</summary>
    public int Position { get; }

    /// <summary>Length of the offending token in characters (0 at the end of the text or when unknown).</summary>
    public int Length { get; }

    /// <summary>The message without its <c>column N: </c> prefix.</summary>
    public string Problem { get; }

    /// <summary>For an unknown segment or group: up to three close existing names (<c>Group=Segment</c> or <c>Group=*</c>).</summary>
    public IReadOnlyList<string> Suggestions { get; }

    private static string Format(TextSpan? span, string problem) =>
        span is { } s ? $"column {s.Start + 1}: {problem}" : problem;
}
