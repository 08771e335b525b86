using System.Diagnostics.CodeAnalysis;

namespace Onboarding.Engine.Audiences.Expressions;

/// <summary>How the rows of an <see cref="AudienceBuilder"/> combine.</summary>
public enum AudienceMatch
{
    /// <summary>Members matching every row: the rows joined with AND.</summary>
    All,

    /// <summary>Members matching at least one row: the rows joined with OR.</summary>
    Any,
}

/// <summary>One row of the builder: a segment, a whole group or an audience/snapshot, included or excluded.</summary>
/// <param name="Term">What the row refers to.</param>
/// <param name="Included">True to include it (<c>x</c>), false to exclude it (<c>NOT x</c>).</param>
public sealed record AudienceBuilderRow(AudienceTerm Term, bool Included = true)
{
    /// <summary>The row as an expression: the term, or <c>NOT</c> the term.</summary>
    /// <returns>The expression.</returns>
    public AudienceExpression ToExpression() => Included ? Term : new NotExpression(Term);
}

/// <summary>
/// The form editor for audiences (as in SessionM's Audiences module): rows of attributes, each included or
/// excluded, matched All or Any. It is a view of the expression language, not a second model: every builder is an
/// expression (<see cref="ToExpression"/>) and an expression of the same flat shape reads back as a builder
/// (<see cref="TryFrom"/>); anything else is edited as text.
/// </summary>
/// <remarks>
/// <para>All: <c>r1 AND r2 AND …</c>; Any: <c>r1 OR r2 OR …</c>; an excluded row is <c>NOT x</c>, the client's base
/// minus x.</para>
/// <para>
/// Note for Any with excluded rows: the exclusion is one more alternative, not a filter on the others.
/// Any of [include A, exclude B] is <c>A OR NOT B</c>: members of A, plus everyone in the base who is not in B —
/// usually far more than "A but not B" (that is All of [include A, exclude B]).
/// </para>
/// <para>
/// A single row gives the row's expression whatever <see cref="Match"/> is, so it reads back as All; every other
/// builder reads back equal to itself.
/// </para>
/// </remarks>
public sealed class AudienceBuilder
{
    /// <summary>How the rows combine.</summary>
    public AudienceMatch Match { get; set; }

    /// <summary>The rows, in order.</summary>
    public IList<AudienceBuilderRow> Rows { get; } = [];

    /// <summary>Creates a builder.</summary>
    /// <param name="match">How the rows combine.</param>
    /// <param name="rows">The rows.</param>
    /// <returns>The builder.</returns>
    public static AudienceBuilder Of(AudienceMatch match, params IEnumerable<AudienceBuilderRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var builder = new AudienceBuilder { Match = match };
        foreach (AudienceBuilderRow row in rows)
        {
            builder.Rows.Add(row ?? throw new ArgumentException("a row is null", nameof(rows)));
        }

        return builder;
    }

    /// <summary>Reads an expression as a builder when it has the flat shape a builder makes.</summary>
    /// <param name="expression">The expression.</param>
    /// <param name="builder">The builder, or null when the expression needs the text editor.</param>
    /// <returns>
    /// Whether the expression is a term, <c>NOT</c> a term, or an AND or an OR whose every operand is one of those.
    /// </returns>
    public static bool TryFrom(AudienceExpression expression, [NotNullWhen(true)] out AudienceBuilder? builder)
    {
        ArgumentNullException.ThrowIfNull(expression);
        builder = null;
        (AudienceMatch match, IReadOnlyList<AudienceExpression> operands) = expression switch
        {
            AndExpression and => (AudienceMatch.All, and.Operands),
            OrExpression or => (AudienceMatch.Any, or.Operands),
            _ => (AudienceMatch.All, (IReadOnlyList<AudienceExpression>)[expression]),
        };
        var result = new AudienceBuilder { Match = match };
        foreach (AudienceExpression operand in operands)
        {
            AudienceBuilderRow? row = operand switch
            {
                AudienceTerm term => new AudienceBuilderRow(term, Included: true),
                NotExpression { Operand: AudienceTerm term } => new AudienceBuilderRow(term, Included: false),
                _ => null,
            };
            if (row is null)
            {
                return false;
            }

            result.Rows.Add(row);
        }

        builder = result;
        return true;
    }

    /// <summary>The expression the rows make.</summary>
    /// <returns>A term or NOT a term for one row; otherwise an AND (All) or an OR (Any) of the rows.</returns>
    /// <exception cref="InvalidOperationException">There are no rows.</exception>
    public AudienceExpression ToExpression()
    {
        if (Rows.Count == 0)
        {
            throw new InvalidOperationException("an audience needs at least one row");
        }

        if (Rows.Count == 1)
        {
            return Rows[0].ToExpression();
        }

        IEnumerable<AudienceExpression> operands = Rows.Select(r => r.ToExpression());
        return Match == AudienceMatch.All ? new AndExpression(operands) : new OrExpression(operands);
    }

    /// <summary>The canonical text of <see cref="ToExpression"/>.</summary>
    /// <returns>The expression text.</returns>
    public override string ToString() => Rows.Count == 0 ? string.Empty : ToExpression().ToString();
}
