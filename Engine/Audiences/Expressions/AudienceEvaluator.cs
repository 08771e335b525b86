using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Engine.Audiences.Expressions;

/// <summary>
/// Computes an audience's members (or only how many there are) from a client's sources. The expression is
/// validated first (<see cref="AudienceExpression.Validate"/>), so the same errors apply.
/// </summary>
/// <remarks>
/// The plan: an AND intersects its positive operands smallest first (by cardinality; segments and groups are
/// fetched before references and nested expressions are evaluated, and the first empty one ends the AND) and then
/// removes its NOT operands with AndNot on the running result, so base−x is never built inside an AND that has a
/// positive operand; an AND of NOTs only starts from the base, and so does an AND whose positive operands may hold
/// members outside the base (snapshots keep members who have since left every segment; NOT is relative to the
/// current base). An OR is one wide union; its NOT operands are folded first, since NOT a OR NOT b = base − (a AND b).
/// <c>"Group=*"</c> is a wide union of the group's segments. Segments, groups, the base and referenced audiences
/// are fetched or computed once per evaluation. The bitmaps the sources return are never modified: in-place
/// operations only run on bitmaps this evaluation created. <see cref="Count"/> does the same work but takes the
/// last intersection, difference or two-way union as a cardinality without building it.
/// </remarks>
public static class AudienceEvaluator
{
    /// <summary>The members of the audience.</summary>
    /// <param name="expression">The definition.</param>
    /// <param name="sources">The client's segments, base and audiences.</param>
    /// <param name="audienceName">The name of the audience being defined, if any (for cycle checks).</param>
    /// <returns>A new bitmap the caller owns.</returns>
    /// <exception cref="AudienceExpressionException">The expression does not bind to the sources.</exception>
    public static RoaringBitmap Evaluate(AudienceExpression expression, IAudienceSources sources, string? audienceName = null)
    {
        var evaluation = new Evaluation(Bind(expression, sources, audienceName));
        Value value = evaluation.Evaluate(expression);
        return value.Owned ? value.Bitmap : value.Bitmap.Clone();
    }

    /// <summary>How many members the audience has.</summary>
    /// <param name="expression">The definition.</param>
    /// <param name="sources">The client's segments, base and audiences.</param>
    /// <param name="audienceName">The name of the audience being defined, if any (for cycle checks).</param>
    /// <returns>The member count.</returns>
    /// <exception cref="AudienceExpressionException">The expression does not bind to the sources.</exception>
    public static long Count(AudienceExpression expression, IAudienceSources sources, string? audienceName = null) =>
        new Evaluation(Bind(expression, sources, audienceName)).Count(expression);

    /// <summary>Parses, validates and counts: what a preview of typed text does.</summary>
    /// <param name="text">The expression text.</param>
    /// <param name="sources">The client's segments, base and audiences.</param>
    /// <param name="audienceName">The name of the audience being defined, if any (for cycle checks).</param>
    /// <returns>The member count.</returns>
    /// <exception cref="AudienceExpressionException">The text does not parse or does not bind.</exception>
    public static long Count(string text, IAudienceSources sources, string? audienceName = null) =>
        Count(AudienceExpression.Parse(text), sources, audienceName);

    private static AudienceBinder Bind(AudienceExpression expression, IAudienceSources sources, string? audienceName)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var binder = new AudienceBinder(sources);
        binder.Validate(expression, audienceName);
        return binder;
    }

    /// <summary>A bitmap and whether this evaluation may modify it (it created it and nothing else holds it).</summary>
    private readonly record struct Value(RoaringBitmap Bitmap, bool Owned)
    {
        public static Value Empty => new(new RoaringBitmap(), true);

        public long Cardinality => Bitmap.Cardinality;
    }

    /// <summary>An operation's result: the bitmap, or when only the count was asked for, possibly just the count.</summary>
    private readonly record struct Outcome(Value? Value, long Count)
    {
        public static Outcome Of(Value value) => new(value, value.Cardinality);

        public static Outcome CountOnly(long count) => new(null, count);
    }

    private sealed class Evaluation(AudienceBinder binder)
    {
        private readonly IAudienceSources _sources = binder.Sources;
        private readonly Dictionary<SegmentName, RoaringBitmap> _segments = [];
        private readonly Dictionary<string, RoaringBitmap> _groups = new(StringComparer.Ordinal);
        private readonly Dictionary<string, RoaringBitmap> _audiences = new(StringComparer.Ordinal);
        private readonly Dictionary<string, bool> _withinBase = new(StringComparer.Ordinal);
        private RoaringBitmap? _base;

        private RoaringBitmap Base => _base ??= _sources.Base();

        public Value Evaluate(AudienceExpression expression) => expression switch
        {
            AudienceTerm term => new Value(Term(term), Owned: false),
            NotExpression not => new Value(RoaringBitmap.AndNot(Base, Evaluate(not.Operand).Bitmap), Owned: true),
            AndExpression and => And(and.Operands, countOnly: false).Value!.Value,
            OrExpression or => Or(or.Operands, countOnly: false).Value!.Value,
            _ => throw new InvalidOperationException($"unknown expression node {expression.GetType().Name}"),
        };

        public long Count(AudienceExpression expression) => expression switch
        {
            AudienceTerm term => Term(term).Cardinality,
            NotExpression not => RoaringBitmap.AndNotCardinality(Base, Evaluate(not.Operand).Bitmap),
            AndExpression and => And(and.Operands, countOnly: true).Count,
            OrExpression or => Or(or.Operands, countOnly: true).Count,
            _ => throw new InvalidOperationException($"unknown expression node {expression.GetType().Name}"),
        };

        private Outcome And(IReadOnlyList<AudienceExpression> operands, bool countOnly)
        {
            var positives = new List<Value>(operands.Count);
            var negatives = new List<AudienceExpression>();
            // Segments and groups first: fetching them is cheap and an empty one ends the AND before any other work
            // (audience references and nested expressions are evaluated after).
            foreach (AudienceExpression operand in operands)
            {
                if (operand is NotExpression not)
                {
                    negatives.Add(not.Operand);
                }
                else if (operand is SegmentTerm or GroupTerm)
                {
                    AudienceTerm term = (AudienceTerm)operand;
                    RoaringBitmap bitmap = Term(term);
                    if (bitmap.IsEmpty)
                    {
                        return Outcome.Of(Value.Empty);
                    }

                    positives.Add(new Value(bitmap, Owned: false));
                }
            }

            foreach (AudienceExpression operand in operands)
            {
                if (operand is not (NotExpression or SegmentTerm or GroupTerm))
                {
                    Value value = Evaluate(operand);
                    if (value.Bitmap.IsEmpty)
                    {
                        return Outcome.Of(Value.Empty);
                    }

                    positives.Add(value);
                }
            }

            // x AND NOT y is x ∩ (base − y), which is x − y only when x is within the base: always unless every
            // positive operand can hold members outside it (a snapshot keeps members who left every segment).
            if (positives.Count == 0 || (negatives.Count > 0 && !operands.Any(o => o is not NotExpression && WithinBase(o))))
            {
                positives.Add(new Value(Base, Owned: false));
            }

            positives.Sort(static (a, b) => a.Cardinality.CompareTo(b.Cardinality));
            int steps = positives.Count - 1 + negatives.Count;
            Value first = positives[0];
            if (steps == 0)
            {
                return Outcome.Of(first);
            }

            RoaringBitmap? running = null;
            int step = 0;
            for (int i = 1; i < positives.Count; i++)
            {
                RoaringBitmap next = positives[i].Bitmap;
                if (++step == steps && countOnly)
                {
                    return Outcome.CountOnly(RoaringBitmap.AndCardinality(running ?? first.Bitmap, next));
                }

                if (running is null)
                {
                    running = RoaringBitmap.And(first.Bitmap, next);
                }
                else
                {
                    running.AndWith(next);
                }

                if (running.IsEmpty)
                {
                    return Outcome.Of(new Value(running, Owned: true));
                }
            }

            foreach (AudienceExpression negative in negatives)
            {
                RoaringBitmap excluded = Evaluate(negative).Bitmap;
                if (++step == steps && countOnly)
                {
                    return Outcome.CountOnly(RoaringBitmap.AndNotCardinality(running ?? first.Bitmap, excluded));
                }

                if (running is null)
                {
                    running = RoaringBitmap.AndNot(first.Bitmap, excluded);
                }
                else
                {
                    running.AndNotWith(excluded);
                }

                if (running.IsEmpty)
                {
                    break;
                }
            }

            return Outcome.Of(new Value(running!, Owned: true));
        }

        private Outcome Or(IReadOnlyList<AudienceExpression> operands, bool countOnly)
        {
            var values = new List<Value>(operands.Count);
            var negatives = new List<AudienceExpression>();
            foreach (AudienceExpression operand in operands)
            {
                if (operand is NotExpression not)
                {
                    negatives.Add(not.Operand);
                }
                else
                {
                    values.Add(Evaluate(operand));
                }
            }

            if (negatives.Count > 0)
            {
                // NOT a OR NOT b OR … = base − (a AND b AND …): one difference instead of one per NOT.
                RoaringBitmap excluded = negatives.Count == 1
                    ? Evaluate(negatives[0]).Bitmap
                    : And(negatives, countOnly: false).Value!.Value.Bitmap;
                values.Add(new Value(RoaringBitmap.AndNot(Base, excluded), Owned: true));
            }

            switch (values.Count)
            {
                case 1:
                    return Outcome.Of(values[0]);
                case 2 when countOnly:
                    return Outcome.CountOnly(RoaringBitmap.OrCardinality(values[0].Bitmap, values[1].Bitmap));
                case 2:
                    return Outcome.Of(new Value(RoaringBitmap.Or(values[0].Bitmap, values[1].Bitmap), Owned: true));
                default:
                    var bitmaps = new RoaringBitmap[values.Count];
                    for (int i = 0; i < bitmaps.Length; i++)
                    {
                        bitmaps[i] = values[i].Bitmap;
                    }

                    return Outcome.Of(new Value(RoaringBitmap.Or(bitmaps), Owned: true));
            }
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

        /// <summary>A term's members; shared (the sources' bitmap or this evaluation's memo), never to be modified.</summary>
        private RoaringBitmap Term(AudienceTerm term) => term switch
        {
            SegmentTerm segment => Segment(segment),
            GroupTerm group => Group(group),
            ReferenceTerm reference => Reference(reference),
            _ => throw new InvalidOperationException($"unknown term {term.GetType().Name}"),
        };

        private RoaringBitmap Segment(SegmentTerm term) =>
            Segment(term.Name) ?? throw AudienceBinder.UnknownSegment(term, _sources); // validated, but it can disappear before it is read

        private RoaringBitmap? Segment(SegmentName name)
        {
            if (!_segments.TryGetValue(name, out RoaringBitmap? bitmap))
            {
                bitmap = _sources.Segment(name.Group, name.Segment);
                if (bitmap is null)
                {
                    return null;
                }

                _segments.Add(name, bitmap);
            }

            return bitmap;
        }

        private RoaringBitmap Group(GroupTerm term)
        {
            if (!_groups.TryGetValue(term.Group, out RoaringBitmap? bitmap))
            {
                if (!_sources.Groups.TryGetValue(term.Group, out IReadOnlyList<string>? names))
                {
                    throw AudienceBinder.UnknownGroup(term, _sources);
                }

                // A segment listed but gone by the time it is read (a concurrent commit) has no members to add.
                var members = new List<RoaringBitmap>(names.Count);
                foreach (string name in names)
                {
                    if (Segment(SegmentName.FromChecked(term.Group, name)) is { } segment)
                    {
                        members.Add(segment);
                    }
                }

                bitmap = members.Count switch
                {
                    0 => new RoaringBitmap(),
                    1 => members[0],
                    _ => RoaringBitmap.Or(members),
                };
                _groups.Add(term.Group, bitmap);
            }

            return bitmap;
        }

        private RoaringBitmap Reference(ReferenceTerm term)
        {
            if (!_audiences.TryGetValue(term.Name, out RoaringBitmap? bitmap))
            {
                bitmap = binder.Resolved(term.Name) switch
                {
                    AudienceReference.Snapshot snapshot => snapshot.Members,
                    AudienceReference.Audience => Evaluate(binder.Definition(term.Name)).Bitmap,
                    var other => throw new InvalidOperationException($"unknown reference kind {other.GetType().Name}"),
                };
                _audiences.Add(term.Name, bitmap);
            }

            return bitmap;
        }
    }
}
