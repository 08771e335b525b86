using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Engine.Audiences.Expressions;

/// <summary>
/// Computes an audience's members (or only how many there are) from a client's sources. The expression is
/// validated first (<see cref="AudienceExpression.Validate"/>), so the same errors apply.
/// </summary>
/// <remarks>
/// The expression is planned into a <see cref="BitmapExpression"/>, which is evaluated one 16-bit key at a time
/// without building intermediate bitmaps. The plan: an AND intersects its positive operands (smallest first, per
/// key; segments and groups are fetched before references and nested expressions are planned, and an empty one
/// ends the AND) and removes its NOT operands from that, so base−x is never built inside an AND that has a positive
/// operand; an AND of NOTs only starts from the base, and so does an AND whose positive operands may hold members
/// outside the base (snapshots keep members who have since left every segment; NOT is relative to the current
/// base). An OR is one union; its NOT operands are folded first, since NOT a OR NOT b = base − (a AND b).
/// <c>"Group=*"</c> is the union of the group's segments. Segments, the base and referenced audiences and snapshots
/// are fetched or planned once per evaluation. The bitmaps the sources return are never modified.
/// </remarks>
public static class AudienceEvaluator
{
    /// <summary>The members of the audience.</summary>
    /// <param name="expression">The definition.</param>
    /// <param name="sources">The client's segments, base and audiences.</param>
    /// <param name="audienceName">The name of the audience being defined, if any (for cycle checks).</param>
    /// <returns>A new bitmap the caller owns.</returns>
    /// <exception cref="AudienceExpressionException">The expression does not bind to the sources.</exception>
    public static RoaringBitmap Evaluate(AudienceExpression expression, IAudienceSources sources, string? audienceName = null) =>
        Plan(expression, sources, audienceName).Evaluate();

    /// <summary>How many members the audience has.</summary>
    /// <param name="expression">The definition.</param>
    /// <param name="sources">The client's segments, base and audiences.</param>
    /// <param name="audienceName">The name of the audience being defined, if any (for cycle checks).</param>
    /// <returns>The member count.</returns>
    /// <exception cref="AudienceExpressionException">The expression does not bind to the sources.</exception>
    public static long Count(AudienceExpression expression, IAudienceSources sources, string? audienceName = null) =>
        Plan(expression, sources, audienceName).Count();

    /// <summary>Parses, validates and counts: what a preview of typed text does.</summary>
    /// <param name="text">The expression text.</param>
    /// <param name="sources">The client's segments, base and audiences.</param>
    /// <param name="audienceName">The name of the audience being defined, if any (for cycle checks).</param>
    /// <returns>The member count.</returns>
    /// <exception cref="AudienceExpressionException">The text does not parse or does not bind.</exception>
    public static long Count(string text, IAudienceSources sources, string? audienceName = null) =>
        Count(AudienceExpression.Parse(text), sources, audienceName);

    private static BitmapExpression Plan(AudienceExpression expression, IAudienceSources sources, string? audienceName = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var binder = new AudienceBinder(sources);
        binder.Validate(expression, audienceName);
        return new Planner(binder).Plan(expression);
    }

    private sealed class Planner(AudienceBinder binder)
    {
        private static readonly BitmapExpression Empty = BitmapExpression.Or([]);

        private readonly IAudienceSources _sources = binder.Sources;
        private readonly Dictionary<SegmentName, BitmapExpression> _segments = [];
        private readonly Dictionary<string, BitmapExpression> _groups = new(StringComparer.Ordinal);
        private readonly Dictionary<string, BitmapExpression> _audiences = new(StringComparer.Ordinal);
        private readonly Dictionary<string, bool> _withinBase = new(StringComparer.Ordinal);
        private BitmapExpression? _base;

        private BitmapExpression Base => _base ??= Operand(_sources.Base());

        public BitmapExpression Plan(AudienceExpression expression) => expression switch
        {
            AudienceTerm term => Term(term),
            NotExpression not => Not(Plan(not.Operand)),
            AndExpression and => And(and.Operands),
            OrExpression or => Or(or.Operands),
            _ => throw new InvalidOperationException($"unknown expression node {expression.GetType().Name}"),
        };

        private static BitmapExpression Operand(RoaringBitmap bitmap) => bitmap.IsEmpty ? Empty : BitmapExpression.Of(bitmap);

        private BitmapExpression Not(BitmapExpression excluded) =>
            ReferenceEquals(excluded, Empty) ? Base : BitmapExpression.And([Base], [excluded]);

        private BitmapExpression And(IReadOnlyList<AudienceExpression> operands)
        {
            var positives = new List<BitmapExpression>(operands.Count);
            // Segments and groups first: fetching them is cheap and an empty one ends the AND before any other work
            // (audience references and nested expressions are planned after).
            foreach (AudienceExpression operand in operands)
            {
                if (operand is SegmentTerm or GroupTerm)
                {
                    BitmapExpression term = Term((AudienceTerm)operand);
                    if (ReferenceEquals(term, Empty))
                    {
                        return Empty;
                    }

                    positives.Add(term);
                }
            }

            foreach (AudienceExpression operand in operands)
            {
                if (operand is not (NotExpression or SegmentTerm or GroupTerm))
                {
                    BitmapExpression planned = Plan(operand);
                    if (ReferenceEquals(planned, Empty))
                    {
                        return Empty;
                    }

                    positives.Add(planned);
                }
            }

            bool negated = operands.Any(o => o is NotExpression);
            // x AND NOT y is x ∩ (base − y), which is x − y only when x is within the base: always unless every
            // positive operand can hold members outside it (a snapshot keeps members who left every segment).
            if (positives.Count == 0 || (negated && !operands.Any(o => o is not NotExpression && WithinBase(o))))
            {
                positives.Add(Base);
            }

            var negatives = new List<BitmapExpression>();
            foreach (AudienceExpression operand in operands)
            {
                if (operand is NotExpression not && Plan(not.Operand) is var excluded && !ReferenceEquals(excluded, Empty))
                {
                    negatives.Add(excluded);
                }
            }

            return positives.Count == 1 && negatives.Count == 0 ? positives[0] : BitmapExpression.And(positives, negatives);
        }

        private BitmapExpression Or(IReadOnlyList<AudienceExpression> operands)
        {
            var values = new List<BitmapExpression>(operands.Count);
            var negatives = new List<AudienceExpression>();
            foreach (AudienceExpression operand in operands)
            {
                if (operand is NotExpression not)
                {
                    negatives.Add(not.Operand);
                }
                else if (Plan(operand) is var planned && !ReferenceEquals(planned, Empty))
                {
                    values.Add(planned);
                }
            }

            if (negatives.Count > 0)
            {
                // NOT a OR NOT b OR … = base − (a AND b AND …): one difference instead of one per NOT.
                values.Add(Not(negatives.Count == 1 ? Plan(negatives[0]) : And(negatives)));
            }

            return values.Count switch
            {
                0 => Empty,
                1 => values[0],
                _ => BitmapExpression.Or(values),
            };
        }

        /// <summary>Whether the members are certainly all in the base (snapshots may not be).</summary>
        private bool WithinBase(AudienceExpression expression) => expression switch
        {
            SegmentTerm or GroupTerm or NotExpression => true,
            ReferenceTerm reference => _withinBase.TryGetValue(reference.Name, out bool within)
                ? within
                : _withinBase[reference.Name] = binder.Resolved(reference.Name) is AudienceReference.Audience
                    && WithinBase(binder.Definition(reference.Name)),
            AndExpression and => and.Operands.Any(WithinBase),
            OrExpression or => or.Operands.All(WithinBase),
            _ => false,
        };

        private BitmapExpression Term(AudienceTerm term) => term switch
        {
            SegmentTerm segment => Segment(segment.Name) ?? throw AudienceBinder.UnknownSegment(segment, _sources), // validated, but it can disappear before it is read
            GroupTerm group => Group(group),
            ReferenceTerm reference => Reference(reference),
            _ => throw new InvalidOperationException($"unknown term {term.GetType().Name}"),
        };

        private BitmapExpression? Segment(SegmentName name)
        {
            if (!_segments.TryGetValue(name, out BitmapExpression? planned))
            {
                if (_sources.Segment(name.Group, name.Segment) is not { } bitmap)
                {
                    return null;
                }

                planned = Operand(bitmap);
                _segments.Add(name, planned);
            }

            return planned;
        }

        private BitmapExpression Group(GroupTerm term)
        {
            if (!_groups.TryGetValue(term.Group, out BitmapExpression? planned))
            {
                if (!_sources.Groups.TryGetValue(term.Group, out IReadOnlyList<string>? names))
                {
                    throw AudienceBinder.UnknownGroup(term, _sources);
                }

                // A segment listed but gone by the time it is read (a concurrent commit) has no members to add.
                var members = new List<BitmapExpression>(names.Count);
                foreach (string name in names)
                {
                    if (Segment(SegmentName.FromChecked(term.Group, name)) is { } segment && !ReferenceEquals(segment, Empty))
                    {
                        members.Add(segment);
                    }
                }

                planned = members.Count switch
                {
                    0 => Empty,
                    1 => members[0],
                    _ => BitmapExpression.Or(members),
                };
                _groups.Add(term.Group, planned);
            }

            return planned;
        }

        private BitmapExpression Reference(ReferenceTerm term)
        {
            if (!_audiences.TryGetValue(term.Name, out BitmapExpression? planned))
            {
                planned = binder.Resolved(term.Name) switch
                {
                    AudienceReference.Snapshot snapshot => Operand(snapshot.Members),
                    AudienceReference.Audience => Plan(binder.Definition(term.Name)),
                    var other => throw new InvalidOperationException($"unknown reference kind {other.GetType().Name}"),
                };
                _audiences.Add(term.Name, planned);
            }

            return planned;
        }
    }
}
