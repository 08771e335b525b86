using System.Diagnostics.CodeAnalysis;
using System.Text;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Engine.Audiences.Expressions;

/// <summary>
/// An audience definition: boolean logic over segments (<c>"Group=Segment"</c>), whole groups (<c>"Group=*"</c>)
/// and other audiences or snapshots (<c>@"name"</c>), with <c>AND</c>, <c>OR</c>, <c>NOT</c> and parentheses
/// (precedence NOT &gt; AND &gt; OR; NOT is relative to the client's base).
/// </summary>
/// <remarks>
/// <para>
/// Every expression has one canonical text, <see cref="ToString"/> (also <see cref="Canonical"/>): uppercase
/// operators, the fewest parentheses the precedence allows, flattened AND/OR chains, one space around operators,
/// references re-quoted with <c>\"</c> and <c>\\</c> escapes and their parts trimmed. Parsing the canonical text
/// gives an equal expression. Equality is structural and ignores where in the text a node came from; operand
/// order is kept (it is the analyst's).
/// </para>
/// <para>Positions in errors are 1-based character (UTF-16 code unit) columns in the parsed text.</para>
/// </remarks>
public abstract record AudienceExpression
{
    private IReadOnlySet<SegmentName>? _segments;
    private IReadOnlySet<string>? _groups;
    private IReadOnlySet<string>? _audiences;

    private protected AudienceExpression()
    {
    }

    /// <summary>The canonical text (same as <see cref="ToString"/>).</summary>
    public string Canonical => ToString();

    /// <summary>The segments named one by one (<c>"Group=Segment"</c>), not those reached through a whole group.</summary>
    public IReadOnlySet<SegmentName> ReferencedSegments => _segments ??= Collect<SegmentName>(static (t, set) =>
    {
        if (t is SegmentTerm s)
        {
            set.Add(s.Name);
        }
    });

    /// <summary>The groups used whole (<c>"Group=*"</c>).</summary>
    public IReadOnlySet<string> ReferencedGroups => _groups ??= Collect<string>(static (t, set) =>
    {
        if (t is GroupTerm g)
        {
            set.Add(g.Group);
        }
    });

    /// <summary>The audiences and snapshots referred to directly (<c>@"name"</c>); not those they refer to in turn.</summary>
    public IReadOnlySet<string> ReferencedAudiences => _audiences ??= Collect<string>(static (t, set) =>
    {
        if (t is ReferenceTerm r)
        {
            set.Add(r.Name);
        }
    });

    /// <summary>Where this node was in the parsed text; null for nodes built in code.</summary>
    internal TextSpan? Span { get; init; }

    /// <summary>Parses an expression. Names are not checked against a client; see <see cref="Validate"/>.</summary>
    /// <param name="text">The expression text.</param>
    /// <returns>The expression.</returns>
    /// <exception cref="AudienceExpressionException">The text is not a valid expression; the message says where and why.</exception>
    public static AudienceExpression Parse(string text) => AudienceExpressionParser.Parse(text);

    /// <summary>Parses an expression without throwing.</summary>
    /// <param name="text">The expression text.</param>
    /// <param name="expression">The expression, or null.</param>
    /// <param name="error">Where and why the text is not valid, or null.</param>
    /// <returns>Whether the text is a valid expression.</returns>
    public static bool TryParse(
        string text,
        [NotNullWhen(true)] out AudienceExpression? expression,
        [NotNullWhen(false)] out AudienceExpressionException? error)
    {
        try
        {
            expression = AudienceExpressionParser.Parse(text);
            error = null;
            return true;
        }
        catch (AudienceExpressionException e)
        {
            expression = null;
            error = e;
            return false;
        }
    }

    /// <summary>
    /// Binds the names to one client: every segment and group exists, every <c>@"name"</c> is an audience or a
    /// snapshot, referred audiences are valid in turn and no chain of references comes back to where it started.
    /// </summary>
    /// <param name="sources">The client's segments, base and audiences.</param>
    /// <param name="audienceName">
    /// The name of the audience this expression defines, when it has one: a reference back to it through other
    /// audiences is a cycle (checked against this expression, not the stored definition).
    /// </param>
    /// <exception cref="AudienceExpressionException">A name does not bind or references form a cycle.</exception>
    public void Validate(IAudienceSources sources, string? audienceName = null) =>
        new AudienceBinder(sources).Validate(this, audienceName);

    /// <summary>Whether this expression uses a segment, by name or through its whole group.</summary>
    /// <param name="segment">The segment.</param>
    /// <returns>Whether the segment's members can affect the result (ignoring audience references).</returns>
    public bool Uses(SegmentName segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return ReferencedSegments.Contains(segment) || ReferencedGroups.Contains(segment.Group);
    }

    /// <summary>The canonical text.</summary>
    /// <returns>The canonical text.</returns>
    public sealed override string ToString()
    {
        var builder = new StringBuilder();
        Write(builder, this, Precedence.Or);
        return builder.ToString();
    }

    /// <inheritdoc/>
    public virtual bool Equals(AudienceExpression? other) =>
        other is not null && EqualityContract == other.EqualityContract;

    /// <inheritdoc/>
    public override int GetHashCode() => EqualityContract.GetHashCode();

    internal enum Precedence
    {
        Or = 1,
        And = 2,
        Not = 3,
        Term = 4,
    }

    internal Precedence Rank => this switch
    {
        OrExpression => Precedence.Or,
        AndExpression => Precedence.And,
        NotExpression => Precedence.Not,
        _ => Precedence.Term,
    };

    /// <summary>Writes <c>"text"</c> with <c>"</c> and <c>\</c> escaped.</summary>
    internal static void WriteQuoted(StringBuilder builder, string first, string? second)
    {
        builder.Append('"');
        AppendEscaped(builder, first);
        if (second is not null)
        {
            builder.Append('=');
            AppendEscaped(builder, second);
        }

        builder.Append('"');
    }

    private static void AppendEscaped(StringBuilder builder, string text)
    {
        foreach (char c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }
    }

    private static void Write(StringBuilder builder, AudienceExpression node, Precedence context)
    {
        bool parenthesise = node.Rank < context;
        if (parenthesise)
        {
            builder.Append('(');
        }

        switch (node)
        {
            case AudienceTerm term:
                term.WriteTerm(builder);
                break;
            case NotExpression not:
                builder.Append("NOT ");
                Write(builder, not.Operand, Precedence.Not);
                break;
            case AndExpression and:
                WriteChain(builder, and.Operands, " AND ", Precedence.Not);
                break;
            case OrExpression or:
                WriteChain(builder, or.Operands, " OR ", Precedence.And);
                break;
            default:
                throw new InvalidOperationException($"unknown expression node {node.GetType().Name}");
        }

        if (parenthesise)
        {
            builder.Append(')');
        }
    }

    private static void WriteChain(StringBuilder builder, IReadOnlyList<AudienceExpression> operands, string separator, Precedence context)
    {
        for (int i = 0; i < operands.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(separator);
            }

            // A nested chain of the same kind cannot occur (constructors flatten), so the operand precedence is
            // strictly above the chain's: AND operands need NOT or tighter, OR operands AND or tighter.
            Write(builder, operands[i], context);
        }
    }

    private HashSet<T> Collect<T>(Action<AudienceTerm, HashSet<T>> add)
    {
        var set = new HashSet<T>();
        var pending = new Stack<AudienceExpression>();
        pending.Push(this);
        while (pending.TryPop(out AudienceExpression? node))
        {
            switch (node)
            {
                case AudienceTerm term:
                    add(term, set);
                    break;
                case NotExpression not:
                    pending.Push(not.Operand);
                    break;
                case ChainExpression chain:
                    foreach (AudienceExpression operand in chain.Operands)
                    {
                        pending.Push(operand);
                    }

                    break;
            }
        }

        return set;
    }
}

/// <summary>A single operand: a segment, a whole group or a reference to an audience or snapshot.</summary>
public abstract record AudienceTerm : AudienceExpression
{
    private protected AudienceTerm()
    {
    }

    internal abstract void WriteTerm(StringBuilder builder);
}

/// <summary><c>"Group=Segment"</c>: the members of one segment.</summary>
public sealed record SegmentTerm : AudienceTerm
{
    /// <summary>Creates the term.</summary>
    /// <param name="name">The segment; its segment part cannot be <c>*</c> (that is <see cref="GroupTerm"/>).</param>
    public SegmentTerm(SegmentName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Segment == "*")
        {
            throw new ArgumentException("\"Group=*\" is a whole group: use GroupTerm", nameof(name));
        }

        Name = name;
    }

    /// <summary>The segment.</summary>
    public SegmentName Name { get; }

    internal override void WriteTerm(StringBuilder builder) => WriteQuoted(builder, Name.Group, Name.Segment);
}

/// <summary><c>"Group=*"</c>: the members of any segment of the group.</summary>
public sealed record GroupTerm : AudienceTerm
{
    /// <summary>Creates the term.</summary>
    /// <param name="group">The group; surrounding whitespace is removed.</param>
    public GroupTerm(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException("a group name cannot contain '='", nameof(group));
        }

        Group = SegmentName.Parse(group + "=*").Group;
    }

    /// <summary>The group.</summary>
    public string Group { get; }

    internal override void WriteTerm(StringBuilder builder) => WriteQuoted(builder, Group, "*");
}

/// <summary><c>@"name"</c>: another audience (its current definition) or a snapshot (its frozen members).</summary>
public sealed record ReferenceTerm : AudienceTerm
{
    /// <summary>Creates the term.</summary>
    /// <param name="name">The audience or snapshot name; surrounding whitespace is removed; not empty.</param>
    public ReferenceTerm(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name.Trim();
    }

    /// <summary>The audience or snapshot name.</summary>
    public string Name { get; }

    internal override void WriteTerm(StringBuilder builder)
    {
        builder.Append('@');
        WriteQuoted(builder, Name, null);
    }
}

/// <summary><c>NOT x</c>: the client's base minus x.</summary>
public sealed record NotExpression : AudienceExpression
{
    /// <summary>Creates the expression.</summary>
    /// <param name="operand">What to exclude from the base.</param>
    public NotExpression(AudienceExpression operand)
    {
        ArgumentNullException.ThrowIfNull(operand);
        Operand = operand;
    }

    /// <summary>What is excluded from the base.</summary>
    public AudienceExpression Operand { get; }
}

/// <summary>A flattened chain of two or more operands under one associative operator.</summary>
public abstract record ChainExpression : AudienceExpression
{
    private readonly AudienceExpression[] _operands;

    private protected ChainExpression(IEnumerable<AudienceExpression> operands)
    {
        ArgumentNullException.ThrowIfNull(operands);
        var flat = new List<AudienceExpression>();
        foreach (AudienceExpression operand in operands)
        {
            ArgumentNullException.ThrowIfNull(operand, nameof(operands));
            if (operand.GetType() == GetType())
            {
                flat.AddRange(((ChainExpression)operand)._operands);
            }
            else
            {
                flat.Add(operand);
            }
        }

        if (flat.Count < 2)
        {
            throw new ArgumentException("a chain needs at least two operands", nameof(operands));
        }

        _operands = [.. flat];
    }

    /// <summary>The operands, in the order written; none is a chain of the same operator.</summary>
    public IReadOnlyList<AudienceExpression> Operands => _operands;

    /// <inheritdoc/>
    public virtual bool Equals(ChainExpression? other) =>
        base.Equals(other) && _operands.AsSpan().SequenceEqual(other._operands);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(base.GetHashCode());
        foreach (AudienceExpression operand in _operands)
        {
            hash.Add(operand);
        }

        return hash.ToHashCode();
    }
}

/// <summary><c>a AND b AND …</c>: members of every operand. Nested ANDs are flattened into this one.</summary>
public sealed record AndExpression : ChainExpression
{
    /// <summary>Creates the expression.</summary>
    /// <param name="operands">Two or more operands.</param>
    public AndExpression(params IEnumerable<AudienceExpression> operands)
        : base(operands)
    {
    }
}

/// <summary><c>a OR b OR …</c>: members of any operand. Nested ORs are flattened into this one.</summary>
public sealed record OrExpression : ChainExpression
{
    /// <summary>Creates the expression.</summary>
    /// <param name="operands">Two or more operands.</param>
    public OrExpression(params IEnumerable<AudienceExpression> operands)
        : base(operands)
    {
    }
}

/// <summary>Where a node was in the text: 0-based start and length in UTF-16 code units.</summary>
internal readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;

    public static TextSpan Cover(TextSpan first, TextSpan last) => new(first.Start, last.End - first.Start);
}
