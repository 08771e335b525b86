using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Ingestion.Parsing;

namespace Onboarding.Engine.Tests.Audiences.Expressions;

public class AudienceEvaluatorTests
{
    private static InMemoryAudienceSources CreateSources() => new InMemoryAudienceSources()
        .AddSegment("G", "a", 1, 2, 3)
        .AddSegment("G", "b", 3, 4)
        .AddSegment("H", "x", 5)
        .AddSegment("H", "empty")
        .AddSnapshot("Snap", 1, 99)
        .AddAudience("Aud", "\"G=a\" AND NOT \"G=b\"")
        .AddAudience("Outer", "@\"Aud\" OR @\"Snap\"");

    [Theory]
    [InlineData("NOT \"G=a\"", new uint[] { 4, 5 })]
    [InlineData("NOT \"G=a\" AND NOT \"H=x\"", new uint[] { 4 })]
    [InlineData("\"G=a\" OR NOT \"G=b\"", new uint[] { 1, 2, 3, 5 })]
    [InlineData("NOT \"G=a\" OR NOT \"G=b\"", new uint[] { 1, 2, 4, 5 })]
    [InlineData("\"G=*\" AND NOT \"G=a\"", new uint[] { 4 })]
    [InlineData("\"H=*\"", new uint[] { 5 })]
    [InlineData("@\"Snap\"", new uint[] { 1, 99 })]
    [InlineData("NOT @\"Snap\"", new uint[] { 2, 3, 4, 5 })]
    [InlineData("NOT NOT @\"Snap\"", new uint[] { 1 })]
    [InlineData("@\"Outer\" AND NOT \"G=b\"", new uint[] { 1, 2 })]
    [InlineData("@\"Outer\" AND NOT \"G=a\"", new uint[0])]
    [InlineData("\"H=empty\" OR \"H=x\"", new uint[] { 5 })]
    [InlineData("\"G=a\" AND \"H=empty\" AND NOT @\"Aud\"", new uint[0])]
    public void Evaluate_Expression_MatchesSetSemanticsWithNotRelativeToBase(string text, uint[] expected)
    {
        InMemoryAudienceSources sources = CreateSources();
        AudienceExpression expression = AudienceExpression.Parse(text);

        Assert.Equal(expected, AudienceEvaluator.Evaluate(expression, sources).ToArray());
        Assert.Equal(expected.Length, AudienceEvaluator.Count(expression, sources));
        Assert.Equal(expected.Length, AudienceEvaluator.Count(text, sources));
        sources.AssertUnmodified();
    }

    [Fact]
    public void Evaluate_RepeatedNames_FetchesEachSourceOncePerEvaluation()
    {
        InMemoryAudienceSources sources = CreateSources();
        AudienceExpression expression = AudienceExpression.Parse(
            "\"G=*\" AND (\"G=a\" OR NOT \"G=*\") OR @\"Aud\" AND NOT @\"Aud\" OR NOT @\"Outer\" AND NOT \"G=a\"");

        AudienceEvaluator.Evaluate(expression, sources);

        Assert.Equal(1, sources.SegmentCalls["G=a"]);
        Assert.Equal(1, sources.SegmentCalls["G=b"]);
        Assert.Equal(1, sources.ReferenceCalls["Aud"]);
        Assert.Equal(1, sources.ReferenceCalls["Outer"]);
        Assert.Equal(1, sources.BaseCalls);
    }

    [Fact]
    public void Evaluate_EmptySegmentInAnd_SkipsReferencesAndNestedOperands()
    {
        InMemoryAudienceSources sources = CreateSources();

        long count = AudienceEvaluator.Count(AudienceExpression.Parse("@\"Aud\" AND (\"H=x\" OR \"G=b\") AND \"H=empty\""), sources);

        Assert.Equal(0, count);
        Assert.False(sources.SegmentCalls.ContainsKey("G=a"));
        Assert.False(sources.SegmentCalls.ContainsKey("G=b"));
    }

    [Fact]
    public void Evaluate_PositiveOperandInAnd_NeverAsksForTheBase()
    {
        InMemoryAudienceSources sources = CreateSources();

        AudienceEvaluator.Evaluate(AudienceExpression.Parse("\"G=a\" AND NOT \"G=b\" AND NOT \"H=x\""), sources);

        Assert.Equal(0, sources.BaseCalls);
    }

    [Fact]
    public void Evaluate_Result_IsTheCallersToModify()
    {
        InMemoryAudienceSources sources = CreateSources();

        foreach (string text in new[] { "\"G=a\"", "\"H=*\"", "@\"Snap\"", "@\"Aud\"" })
        {
            RoaringBitmap result = AudienceEvaluator.Evaluate(AudienceExpression.Parse(text), sources);
            result.Add(1_000_000);
            result.Remove(1);
        }

        sources.AssertUnmodified();
    }

    [Fact]
    public void Evaluate_SegmentGoneAfterValidation_ReportsUnknownSegment()
    {
        var sources = new VanishingSources(CreateSources());

        AudienceExpressionException e = Assert.Throws<AudienceExpressionException>(
            () => AudienceEvaluator.Evaluate(AudienceExpression.Parse("\"H=x\" OR \"G=b\""), sources));

        Assert.Equal(AudienceExpressionError.UnknownSegment, e.Error);
        Assert.Equal(10, e.Position);
    }

    /// <summary>
    /// Random expressions (depth up to 4, AND/OR/NOT, segments, whole groups, an audience and a snapshot) over 8
    /// segments in 3 groups with random members drawn from three containers (sparse, sparse, dense), evaluated by the
    /// evaluator and by a HashSet model; the canonical text re-parses to the same tree and the same members.
    /// </summary>
    [Fact]
    public void Evaluate_RandomExpressions_MatchHashSetModel() =>
        AssertRandomExpressionsMatchModel(seeds: 300, SmallUniverse(), runOptimize: false);

    /// <summary>
    /// The same over 16 keys whose blocks take every container kind (sparse arrays, arrays and bitsets either side of
    /// 4096, runs, full blocks; members drawn at densities up to 1 and run-optimized), so that the key-by-key
    /// evaluation combines arrays, bitsets and runs in scratch bitsets, with NOT taken against a many-key base.
    /// </summary>
    [Fact]
    public void Evaluate_RandomExpressionsOverManyMixedKeys_MatchHashSetModel() =>
        AssertRandomExpressionsMatchModel(seeds: 20, ManyKeyUniverse(), runOptimize: true);

    private static void AssertRandomExpressionsMatchModel(int seeds, uint[] universe, bool runOptimize)
    {
        for (int seed = 0; seed < seeds; seed++)
        {
            var random = new Random(seed);
            InMemoryAudienceSources sources = RandomWorld(random, universe, runOptimize);
            for (int i = 0; i < 5; i++)
            {
                AudienceExpression expression = RandomExpression(random, depth: 4, references: ["Snap", "Aud1", "Aud0"]);
                string context = $"seed {seed}, expression {i}: {expression}";
                uint[] expected = [.. Model(expression, sources).Order()];

                RoaringBitmap actual = AudienceEvaluator.Evaluate(expression, sources);
                Assert.True(expected.AsSpan().SequenceEqual(actual.ToArray()), context);
                Assert.True(expected.Length == AudienceEvaluator.Count(expression, sources), context);

                AudienceExpression reparsed = AudienceExpression.Parse(expression.ToString());
                Assert.True(expression.Equals(reparsed), context);
                Assert.True(expression.ToString() == reparsed.ToString(), context);
                Assert.True(actual.Equals(AudienceEvaluator.Evaluate(reparsed, sources)), context);

                if (AudienceBuilder.TryFrom(expression, out AudienceBuilder? builder))
                {
                    Assert.True(expression.Equals(builder.ToExpression()), context);
                }

                actual.Add(4_000_000_000);
                sources.AssertUnmodified();
            }
        }
    }

    private static readonly (string Group, string Segment)[] Segments =
        [("Loyalty", "Gold"), ("Loyalty", "Silver"), ("Loyalty", "Bronze"), ("Region", "North"), ("Region", "South"),
         ("Region", "East"), ("Channel", "Email"), ("Channel", "Sms")];

    private static readonly string[] GroupNames = ["Loyalty", "Region", "Channel"];

    private static InMemoryAudienceSources RandomWorld(Random random, uint[] universe, bool runOptimize)
    {
        var sources = new InMemoryAudienceSources(runOptimize);
        double[] densities = runOptimize ? [0, 0.02, 0.3, 0.8, 1, 1] : [0, 0.02, 0.3, 0.8];
        foreach ((string group, string segment) in Segments)
        {
            double density = densities[random.Next(densities.Length)];
            sources.AddSegment(group, segment, universe.Where(_ => random.NextDouble() < density));
        }

        sources.AddSnapshot("Snap", [.. universe.Where(_ => random.NextDouble() < 0.1), 3_000_000, 3_000_001]);
        sources.AddAudience("Aud0", RandomExpression(random, depth: 3, references: ["Snap"]).ToString());
        sources.AddAudience("Aud1", RandomExpression(random, depth: 3, references: ["Snap", "Aud0"]).ToString());
        return sources;
    }

    /// <summary>Values in three containers: sparse (array), sparse, and 6000 consecutive values (bitset when dense).</summary>
    private static uint[] SmallUniverse() => [.. SmallUniverseValues()];

    private static IEnumerable<uint> SmallUniverseValues()
    {
        for (uint v = 0; v < 200; v++)
        {
            yield return v;
        }

        for (uint v = 65_536; v < 65_636; v++)
        {
            yield return v;
        }

        for (uint v = 200_000; v < 206_000; v++)
        {
            yield return v;
        }
    }

    /// <summary>16 keys; block k holds 40 scattered values, 4,000 or 8,000 consecutive values, or the whole block.</summary>
    private static uint[] ManyKeyUniverse()
    {
        var values = new List<uint>();
        for (uint key = 0; key < 16; key++)
        {
            uint high = key << 16;
            int length = (key % 4) switch { 0 => 40, 1 => 4_000, 2 => 8_000, _ => 65_536 };
            uint step = key % 4 == 0 ? 1_000u : 1u;
            for (uint i = 0; i < length; i++)
            {
                values.Add(high | (i * step));
            }
        }

        return [.. values];
    }

    private static AudienceExpression RandomExpression(Random random, int depth, string[] references)
    {
        if (depth == 0 || random.Next(4) == 0)
        {
            int pick = random.Next(10);
            if (pick < 7 || references.Length == 0)
            {
                (string group, string segment) = Segments[random.Next(Segments.Length)];
                return new SegmentTerm(new SegmentName(group, segment));
            }

            return pick < 9
                ? new GroupTerm(GroupNames[random.Next(GroupNames.Length)])
                : new ReferenceTerm(references[random.Next(references.Length)]);
        }

        AudienceExpression[] Operands() =>
            [.. Enumerable.Range(0, random.Next(2, 5)).Select(_ => RandomExpression(random, depth - 1, references))];

        return random.Next(3) switch
        {
            0 => new NotExpression(RandomExpression(random, depth - 1, references)),
            1 => new AndExpression(Operands()),
            _ => new OrExpression(Operands()),
        };
    }

    private static HashSet<uint> Model(AudienceExpression expression, InMemoryAudienceSources sources)
    {
        switch (expression)
        {
            case SegmentTerm s:
                return sources.SegmentSet(s.Name.Group, s.Name.Segment);
            case GroupTerm g:
                return [.. sources.Groups[g.Group].SelectMany(s => sources.SegmentSet(g.Group, s))];
            case ReferenceTerm r:
                return sources.Reference(r.Name) switch
                {
                    AudienceReference.Snapshot => sources.SnapshotSet(r.Name),
                    AudienceReference.Audience a => Model(AudienceExpression.Parse(a.Expression), sources),
                    _ => throw new InvalidOperationException(r.Name),
                };
            case NotExpression n:
                HashSet<uint> all = sources.BaseSet();
                all.ExceptWith(Model(n.Operand, sources));
                return all;
            case AndExpression a:
                HashSet<uint> and = Model(a.Operands[0], sources);
                foreach (AudienceExpression operand in a.Operands.Skip(1))
                {
                    and.IntersectWith(Model(operand, sources));
                }

                return and;
            case OrExpression o:
                HashSet<uint> or = [];
                foreach (AudienceExpression operand in o.Operands)
                {
                    or.UnionWith(Model(operand, sources));
                }

                return or;
            default:
                throw new InvalidOperationException(expression.GetType().Name);
        }
    }

    /// <summary>Lists its segments but no longer has G=b when asked for it (a commit between validation and reading).</summary>
    private sealed class VanishingSources(InMemoryAudienceSources inner) : IAudienceSources
    {
        public IReadOnlyDictionary<string, IReadOnlyList<string>> Groups => inner.Groups;

        public RoaringBitmap? Segment(string group, string segment) =>
            group == "G" && segment == "b" ? null : inner.Segment(group, segment);

        public RoaringBitmap Base() => inner.Base();

        public AudienceReference? Reference(string name) => inner.Reference(name);
    }
}
