namespace Onboarding.Engine.Audiences.Expressions;

/// <summary>
/// Binds an expression's names to one client's sources: segments and groups exist, references resolve, referred
/// audiences are valid in turn (each parsed and checked once), and no chain of references is a cycle. Keeps what
/// it resolved for the evaluator.
/// </summary>
internal sealed class AudienceBinder(IAudienceSources sources)
{
    private readonly Dictionary<string, HashSet<string>> _segmentsByGroup = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AudienceReference> _resolved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AudienceExpression> _definitions = new(StringComparer.Ordinal);
    private readonly List<string> _path = [];

    public IAudienceSources Sources { get; } = sources ?? throw new ArgumentNullException(nameof(sources));

    public void Validate(AudienceExpression expression, string? audienceName)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (audienceName is not null)
        {
            _path.Add(audienceName.Trim());
        }

        try
        {
            Check(expression);
        }
        finally
        {
            _path.Clear();
        }
    }

    /// <summary>What a validated reference resolved to.</summary>
    public AudienceReference Resolved(string name) => _resolved[name];

    /// <summary>The parsed definition of a validated audience reference.</summary>
    public AudienceExpression Definition(string name) => _definitions[name];

    internal static AudienceExpressionException UnknownSegment(SegmentTerm term, IAudienceSources sources)
    {
        string shown = term.ToString();
        IReadOnlyList<string> suggestions = NameSuggestions.Closest(term.Name.ToString(), AllSegmentNames(sources));
        string problem = sources.Groups.ContainsKey(term.Name.Group)
            ? $"unknown segment {shown}"
            : $"unknown group \"{term.Name.Group}\" in {shown}";
        AudienceExpressionError error = sources.Groups.ContainsKey(term.Name.Group)
            ? AudienceExpressionError.UnknownSegment
            : AudienceExpressionError.UnknownGroup;
        string[] quoted = [.. suggestions.Select(s => new SegmentTerm(Ingestion.Parsing.SegmentName.Parse(s)).ToString())];
        return new AudienceExpressionException(error, term.Span, problem + NameSuggestions.DidYouMean(quoted), suggestions);
    }

    internal static AudienceExpressionException UnknownGroup(GroupTerm term, IAudienceSources sources)
    {
        IReadOnlyList<string> groups = NameSuggestions.Closest(term.Group, sources.Groups.Keys);
        string[] suggestions = [.. groups.Select(g => g + "=*")];
        string[] quoted = [.. groups.Select(g => new GroupTerm(g).ToString())];
        return new AudienceExpressionException(
            AudienceExpressionError.UnknownGroup, term.Span, $"unknown group \"{term.Group}\" in {term}{NameSuggestions.DidYouMean(quoted)}", suggestions);
    }

    private static IEnumerable<string> AllSegmentNames(IAudienceSources sources)
    {
        foreach ((string group, IReadOnlyList<string> segments) in sources.Groups)
        {
            foreach (string segment in segments)
            {
                yield return $"{group}={segment}";
            }
        }
    }

    private void Check(AudienceExpression expression)
    {
        switch (expression)
        {
            case SegmentTerm segment:
                if (!SegmentsOf(segment.Name.Group).Contains(segment.Name.Segment))
                {
                    throw UnknownSegment(segment, Sources);
                }

                break;
            case GroupTerm group:
                if (!Sources.Groups.ContainsKey(group.Group))
                {
                    throw UnknownGroup(group, Sources);
                }

                break;
            case ReferenceTerm reference:
                Resolve(reference);
                break;
            case NotExpression not:
                Check(not.Operand);
                break;
            case ChainExpression chain:
                foreach (AudienceExpression operand in chain.Operands)
                {
                    Check(operand);
                }

                break;
            default:
                throw new InvalidOperationException($"unknown expression node {expression.GetType().Name}");
        }
    }

    private HashSet<string> SegmentsOf(string group)
    {
        if (!_segmentsByGroup.TryGetValue(group, out HashSet<string>? set))
        {
            set = Sources.Groups.TryGetValue(group, out IReadOnlyList<string>? segments)
                ? new HashSet<string>(segments, StringComparer.Ordinal)
                : [];
            _segmentsByGroup.Add(group, set);
        }

        return set;
    }

    private void Resolve(ReferenceTerm term)
    {
        string name = term.Name;
        int start = _path.IndexOf(name);
        if (start >= 0)
        {
            IEnumerable<string> cycle = _path.Skip(start).Append(name).Select(n => new ReferenceTerm(n).ToString());
            throw new AudienceExpressionException(AudienceExpressionError.ReferenceCycle, term.Span, $"reference cycle {string.Join(" → ", cycle)}");
        }

        if (_resolved.ContainsKey(name))
        {
            return;
        }

        AudienceReference reference = Sources.Reference(name)
            ?? throw new AudienceExpressionException(AudienceExpressionError.UnknownAudience, term.Span, $"unknown audience or snapshot {term}");
        if (reference is AudienceReference.Audience audience)
        {
            _path.Add(name);
            try
            {
                AudienceExpression definition = AudienceExpression.Parse(audience.Expression);
                Check(definition);
                _definitions[name] = definition;
            }
            catch (AudienceExpressionException inner) when (inner.Error == AudienceExpressionError.ReferenceCycle)
            {
                // The cycle is reported where the outermost expression enters it.
                throw new AudienceExpressionException(inner.Error, term.Span, inner.Problem, null, inner);
            }
            catch (AudienceExpressionException inner)
            {
                throw new AudienceExpressionException(inner.Error, term.Span, $"in {term}: {inner.Message}", inner.Suggestions, inner);
            }
            finally
            {
                _path.RemoveAt(_path.Count - 1);
            }
        }

        _resolved[name] = reference;
    }
}
