using System.Text;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Engine.Audiences.Expressions;

/// <summary>
/// Hand-written lexer and recursive-descent parser. Grammar (keywords case-insensitive):
/// <code>
/// or      := and ( OR and )*
/// and     := not ( AND not )*
/// not     := NOT not | primary
/// primary := "Group=Segment" | "Group=*" | @"name" | ( or )
/// </code>
/// Tokens are read on demand, so the leftmost problem is the one reported.
/// </summary>
internal sealed class AudienceExpressionParser
{
    /// <summary>How deep parentheses and NOTs may nest (keeps the recursion far from the stack limit).</summary>
    internal const int MaxDepth = 200;

    private const int MaxShown = 60;

    private readonly string _text;
    private int _position;
    private Token _current;
    private int _depth;

    private AudienceExpressionParser(string text)
    {
        _text = text;
        _current = Lex();
    }

    private enum Kind
    {
        Term,
        And,
        Or,
        Not,
        Open,
        Close,
        End,
    }

    public static AudienceExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new AudienceExpressionParser(text);
        if (parser._current.Kind == Kind.End)
        {
            throw Error(AudienceExpressionError.EmptyExpression, new TextSpan(0, text.Length), "empty expression: write a segment such as \"Group=Segment\"");
        }

        AudienceExpression expression = parser.ParseOr();
        Token next = parser._current;
        if (next.Kind == Kind.Close)
        {
            throw Error(AudienceExpressionError.UnbalancedParenthesis, next.Span, "unbalanced parenthesis: this \")\" has no matching \"(\"");
        }

        if (next.Kind != Kind.End)
        {
            throw parser.Unexpected(next, "AND, OR or the end");
        }

        return expression;
    }

    private static AudienceExpressionException Error(AudienceExpressionError error, TextSpan span, string problem) =>
        new(error, span, problem);

    private static string KeywordName(Kind kind) => kind switch
    {
        Kind.And => "AND",
        Kind.Or => "OR",
        _ => "NOT",
    };

    private AudienceExpression ParseOr() => ParseChain(Kind.Or, ParseAnd, static operands => new OrExpression(operands));

    private AudienceExpression ParseAnd() => ParseChain(Kind.And, ParseNot, static operands => new AndExpression(operands));

    /// <summary><c>operand ( op operand )*</c>, one flattened chain node when there is an operator.</summary>
    private AudienceExpression ParseChain(Kind op, Func<AudienceExpression> operand, Func<List<AudienceExpression>, AudienceExpression> chain)
    {
        AudienceExpression first = operand();
        if (_current.Kind != op)
        {
            return first;
        }

        var operands = new List<AudienceExpression> { first };
        while (_current.Kind == op)
        {
            RequireRightOperand(Advance());
            operands.Add(operand());
        }

        return chain(operands) with { Span = TextSpan.Cover(first.Span!.Value, operands[^1].Span!.Value) };
    }

    private AudienceExpression ParseNot()
    {
        if (_current.Kind != Kind.Not)
        {
            return ParsePrimary();
        }

        Token not = Advance();
        if (_current.Kind is Kind.End or Kind.Close or Kind.And or Kind.Or)
        {
            throw Error(AudienceExpressionError.MissingOperand, not.Span, "NOT without an operand");
        }

        Enter(not);
        AudienceExpression operand = ParseNot();
        _depth--;
        return new NotExpression(operand) { Span = TextSpan.Cover(not.Span, operand.Span!.Value) };
    }

    private AudienceExpression ParsePrimary()
    {
        Token token = Advance();
        switch (token.Kind)
        {
            case Kind.Term:
                return token.Term!;
            case Kind.Open:
                if (_current.Kind == Kind.Close)
                {
                    throw Error(AudienceExpressionError.MissingOperand, TextSpan.Cover(token.Span, _current.Span), "empty parentheses");
                }

                Enter(token);
                AudienceExpression inner = ParseOr();
                _depth--;
                Token close = _current;
                if (close.Kind == Kind.End)
                {
                    throw Error(AudienceExpressionError.UnbalancedParenthesis, token.Span, "unbalanced parenthesis: this \"(\" is never closed");
                }

                if (close.Kind != Kind.Close)
                {
                    throw Unexpected(close, "AND, OR or \")\"");
                }

                Advance();
                return inner;
            case Kind.And or Kind.Or:
                throw Error(AudienceExpressionError.MissingOperand, token.Span, $"{KeywordName(token.Kind)} without a left operand");
            case Kind.Close:
                throw Error(AudienceExpressionError.UnbalancedParenthesis, token.Span, "unbalanced parenthesis: this \")\" has no matching \"(\"");
            default:
                // End: only reachable at the start, which Parse handles, or after an operator, which RequireRightOperand handles.
                throw Error(AudienceExpressionError.MissingOperand, token.Span, "expected a segment, @\"audience\" or \"(\"");
        }
    }

    private void RequireRightOperand(Token op)
    {
        if (_current.Kind is Kind.End or Kind.Close or Kind.And or Kind.Or)
        {
            throw Error(AudienceExpressionError.MissingOperand, op.Span, $"{KeywordName(op.Kind)} without a right operand");
        }
    }

    private void Enter(Token token)
    {
        if (++_depth > MaxDepth)
        {
            throw Error(AudienceExpressionError.TooDeep, token.Span, $"parentheses and NOTs nested more than {MaxDepth} deep");
        }
    }

    private AudienceExpressionException Unexpected(Token token, string expected)
    {
        string hint = token.Kind == Kind.Not ? " (to exclude, write AND NOT or OR NOT)" : string.Empty;
        return Error(AudienceExpressionError.UnexpectedToken, token.Span, $"unexpected {Show(token.Span)}: expected {expected}{hint}");
    }

    private Token Advance()
    {
        Token token = _current;
        if (token.Kind != Kind.End)
        {
            _current = Lex();
        }

        return token;
    }

    /// <summary>The token's text as written, quoted unless it is a quoted term already, shortened.</summary>
    private string Show(TextSpan span)
    {
        ReadOnlySpan<char> raw = _text.AsSpan(span.Start, span.Length);
        string shown = raw.Length <= MaxShown ? raw.ToString() : string.Concat(raw[..(MaxShown - 1)], "…");
        return raw.Length > 0 && raw[^1] == '"' && raw.Length <= MaxShown ? shown : $"\"{shown}\"";
    }

    private Token Lex()
    {
        string text = _text;
        while (_position < text.Length && char.IsWhiteSpace(text[_position]))
        {
            _position++;
        }

        int start = _position;
        if (start == text.Length)
        {
            return new Token(Kind.End, new TextSpan(start, 0), null);
        }

        char c = text[start];
        switch (c)
        {
            case '(':
                _position++;
                return new Token(Kind.Open, new TextSpan(start, 1), null);
            case ')':
                _position++;
                return new Token(Kind.Close, new TextSpan(start, 1), null);
            case '"':
                return LexSegment(start);
            case '@':
                if (start + 1 >= text.Length || text[start + 1] != '"')
                {
                    throw Error(AudienceExpressionError.UnexpectedToken, new TextSpan(start, 1), "unexpected \"@\": an audience reference is written @\"Audience name\"");
                }

                return LexReference(start);
        }

        if (char.IsLetterOrDigit(c) || c == '_')
        {
            while (_position < text.Length && (char.IsLetterOrDigit(text[_position]) || text[_position] == '_'))
            {
                _position++;
            }

            var span = new TextSpan(start, _position - start);
            ReadOnlySpan<char> word = text.AsSpan(start, span.Length);
            if (word.Equals("AND", StringComparison.OrdinalIgnoreCase))
            {
                return new Token(Kind.And, span, null);
            }

            if (word.Equals("OR", StringComparison.OrdinalIgnoreCase))
            {
                return new Token(Kind.Or, span, null);
            }

            if (word.Equals("NOT", StringComparison.OrdinalIgnoreCase))
            {
                return new Token(Kind.Not, span, null);
            }

            throw Error(AudienceExpressionError.UnexpectedToken, span, $"unexpected word {Show(span)}: segments are quoted, as in \"Group=Segment\"");
        }

        int length = char.IsSurrogatePair(text, start) ? 2 : 1;
        var stray = new TextSpan(start, length);
        string advice = c switch
        {
            '&' => "; write AND",
            '|' => "; write OR",
            '!' or '-' or '~' => "; write NOT",
            '\'' => "; quote names with \"",
            _ => string.Empty,
        };
        throw Error(AudienceExpressionError.UnexpectedToken, stray, $"unexpected character {Show(stray)}{advice}");
    }

    private Token LexSegment(int start)
    {
        string content = ReadQuoted(start, start + 1);
        var span = new TextSpan(start, _position - start);
        int equals = content.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            throw Error(AudienceExpressionError.MissingEquals, span, $"missing \"=\" in {Show(span)}: a segment is written \"Group=Segment\" and a whole group \"Group=*\"");
        }

        ReadOnlySpan<char> group = content.AsSpan(0, equals).Trim();
        ReadOnlySpan<char> segment = content.AsSpan(equals + 1).Trim();
        if (group.IsEmpty)
        {
            throw Error(AudienceExpressionError.InvalidName, span, $"empty group name in {Show(span)}");
        }

        if (segment.IsEmpty)
        {
            throw Error(AudienceExpressionError.InvalidName, span, $"empty segment name in {Show(span)}: write \"Group=Segment\", or \"Group=*\" for the whole group");
        }

        string? problem = SegmentName.Check(content, out Range groupRange, out Range segmentRange);
        if (problem is not null)
        {
            throw Error(AudienceExpressionError.InvalidName, span, $"invalid segment name {Show(span)}: {problem}");
        }

        string groupName = content[groupRange];
        AudienceTerm term = segment is "*"
            ? new GroupTerm(groupName) { Span = span }
            : new SegmentTerm(SegmentName.FromChecked(groupName, content[segmentRange])) { Span = span };
        return new Token(Kind.Term, span, term);
    }

    private Token LexReference(int start)
    {
        string content = ReadQuoted(start + 1, start + 2);
        var span = new TextSpan(start, _position - start);
        if (string.IsNullOrWhiteSpace(content))
        {
            throw Error(AudienceExpressionError.InvalidName, span, $"empty audience name in {Show(span)}");
        }

        return new Token(Kind.Term, span, new ReferenceTerm(content) { Span = span });
    }

    /// <summary>Reads from after the opening quote to the closing one (consumed); returns the unescaped content.</summary>
    private string ReadQuoted(int quote, int from)
    {
        string text = _text;
        StringBuilder? builder = null;
        int runStart = from;
        for (int i = from; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '"')
            {
                _position = i + 1;
                if (builder is null)
                {
                    return text[from..i];
                }

                builder.Append(text, runStart, i - runStart);
                return builder.ToString();
            }

            if (c != '\\')
            {
                continue;
            }

            if (i + 1 < text.Length && text[i + 1] is '"' or '\\')
            {
                builder ??= new StringBuilder();
                builder.Append(text, runStart, i - runStart).Append(text[i + 1]);
                i++;
                runStart = i + 1;
            }
            else if (i + 1 < text.Length)
            {
                var escape = new TextSpan(i, char.IsSurrogatePair(text, i + 1) ? 3 : 2);
                throw Error(AudienceExpressionError.InvalidEscape, escape, $"invalid escape {Show(escape)}: inside quotes only \\\" and \\\\ are escapes");
            }
        }

        var open = new TextSpan(quote, text.Length - quote);
        string shown = open.Length <= MaxShown ? text[quote..] : string.Concat(text.AsSpan(quote, MaxShown - 1), "…");
        throw Error(AudienceExpressionError.UnterminatedQuote, open, $"unterminated quote: {shown} has no closing \"");
    }

    private readonly record struct Token(Kind Kind, TextSpan Span, AudienceTerm? Term);
}
