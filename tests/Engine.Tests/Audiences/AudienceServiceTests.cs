using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Tests.Ingestion;
using static Onboarding.Engine.Tests.Ingestion.IngestionHarness;

namespace Onboarding.Engine.Tests.Audiences;

public sealed class AudienceServiceTests : IDisposable
{
    private readonly IngestionHarness _h = new(new IngestionPolicy { MaxRejectedShare = 1, EmptyingGuardMinimumSize = long.MaxValue });
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero)) { };
    private readonly AudienceService _audiences;

    public AudienceServiceTests()
    {
        _time.SetLocalTimeZone(TimeZoneInfo.Utc);
        // Loyalty: Gold {1,2,3}, Silver {4,5}, Bronze {6}; Interest: Golf {2,4,7}, Tennis {3}
        _h.Ingest(_h.WriteFile(
            Row(1, "Loyalty=Gold"), Row(2, "Loyalty=Gold;Interest=Golf"), Row(3, "Loyalty=Gold;Interest=Tennis"),
            Row(4, "Loyalty=Silver;Interest=Golf"), Row(5, "Loyalty=Silver"), Row(6, "Loyalty=Bronze"), Row(7, "Interest=Golf")));
        _audiences = new AudienceService(_h.Data, "default", new AudienceOptions { RunRetention = 3 }, _time);
    }

    [Fact]
    public void Create_SavesADraftWithCanonicalText_AndPreviewCountsWithoutSaving()
    {
        Audience draft = _audiences.Create("Gold golfers", "\"Loyalty=Gold\" and \"Interest=Golf\"", "ana");

        Assert.Equal((AudienceStatus.Draft, "ana", "\"Loyalty=Gold\" AND \"Interest=Golf\""), (draft.Status, draft.CreatedBy, draft.Expression));
        Assert.Equal((1L, 7L), _audiences.Preview("\"Loyalty=Gold\" AND \"Interest=Golf\""));
        Assert.Equal((4L, 7L), _audiences.Preview("NOT \"Loyalty=Gold\""));
        Assert.Single(_audiences.List());
    }

    [Fact]
    public void Create_NameClash_IsRefused()
    {
        _audiences.Create("A", "\"Loyalty=Gold\"", "ana");
        var error = Assert.Throws<AudienceRuleException>(() => _audiences.Create(" A ", "\"Loyalty=Silver\"", "bo"));
        Assert.Equal("An audience or snapshot named \"A\" already exists.", error.Message);
    }

    [Fact]
    public void Drafts_CanBeEditedRenamedAndDeleted()
    {
        _audiences.Create("A", "\"Loyalty=Gold\"", "ana");
        _audiences.Update("A", expression: "\"Loyalty=Silver\"");
        _audiences.Update("A", newName: "B");

        Assert.Equal("\"Loyalty=Silver\"", _audiences.Get("B").Expression);
        _audiences.Delete("B");
        Assert.Empty(_audiences.List());
    }

    [Fact]
    public void Activate_FreezesTheDefinition_EditsAreRefusedWithAClearMessage()
    {
        _audiences.Create("A", "\"Loyalty=Gold\"", "ana");
        Audience active = _audiences.Activate("A");

        Assert.Equal((AudienceStatus.Active, 3L), (active.Status, active.Size));
        var edit = Assert.Throws<AudienceRuleException>(() => _audiences.Update("A", expression: "\"Loyalty=Silver\""));
        Assert.Equal("Audience \"A\" is active: its definition was frozen when it was activated on 2026-11-01 and cannot be edited. Create a new draft instead.", edit.Message);
        Assert.Throws<AudienceRuleException>(() => _audiences.Update("A", newName: "B"));
        Assert.Contains("deactivate it before deleting", Assert.Throws<AudienceRuleException>(() => _audiences.Delete("A")).Message, StringComparison.Ordinal);

        Audience inactive = _audiences.Deactivate("A");
        Assert.Equal(AudienceStatus.Inactive, inactive.Status);
        Assert.Contains("read-only", Assert.Throws<AudienceRuleException>(() => _audiences.Update("A", expression: "\"Loyalty=Silver\"")).Message, StringComparison.Ordinal);
        Assert.Equal("\"Loyalty=Gold\"", _audiences.Get("A").Expression);
    }

    [Fact]
    public void List_SearchesNameAndCreatedBy_AndSorts()
    {
        _audiences.Create("Golfers", "\"Interest=Golf\"", "ana");
        _time.Advance(TimeSpan.FromHours(1));
        _audiences.Create("Tennis", "\"Interest=Tennis\"", "bo");
        _time.Advance(TimeSpan.FromHours(1));
        _audiences.Create("Anyone", "\"Loyalty=*\"", "bo");

        Assert.Equal(["Anyone", "Tennis"], _audiences.List("BO").Select(a => a.Name));
        Assert.Equal(["Golfers"], _audiences.List("golf").Select(a => a.Name));
        Assert.Equal(["Anyone", "Golfers", "Tennis"], _audiences.List().Select(a => a.Name));
        Assert.Equal(["Tennis", "Golfers", "Anyone"], _audiences.List(sort: AudienceSort.NameDescending).Select(a => a.Name));
        Assert.Equal(["Anyone", "Tennis", "Golfers"], _audiences.List(sort: AudienceSort.Newest).Select(a => a.Name));
        Assert.Equal(["Golfers", "Tennis", "Anyone"], _audiences.List(sort: AudienceSort.Oldest).Select(a => a.Name));
    }

    [Fact]
    public void Process_AddsOnePointPerDate_ReplacesTheSameDate_AndOnlyProcessesActiveAudiences()
    {
        _audiences.Create("Gold", "\"Loyalty=Gold\"", "ana");
        _audiences.Create("Draft", "\"Loyalty=Silver\"", "ana");
        _audiences.Activate("Gold");

        _time.Advance(TimeSpan.FromDays(1));
        _h.Ingest(_h.WriteFile(Row(8, "Loyalty=Gold")));
        ProcessingReport report = _audiences.Process();
        _h.Ingest(_h.WriteFile(Row(9, "Loyalty=Gold")));
        _audiences.Process();

        Assert.Equal(["Gold"], report.Processed.Select(a => a.Name));
        Assert.Equal(
            [(new DateOnly(2026, 11, 1), 3L, 7L), (new DateOnly(2026, 11, 2), 5L, 9L)],
            _audiences.History("Gold").Select(p => (p.Date, p.Size, p.BaseSize)));
        Assert.Null(_audiences.Get("Draft").Size);
        Assert.Equal(5L / 9.0, _audiences.Get("Gold").ShareOfBase);
    }

    [Fact]
    public void Process_ManyAudiencesAtOnce_EachKeepsItsOwnMembershipAndSize()
    {
        string[] expressions =
        [
            "\"Loyalty=Gold\"", "\"Loyalty=Silver\" OR \"Interest=Tennis\"", "NOT \"Loyalty=Gold\"", "\"Interest=*\" AND NOT \"Loyalty=Silver\"",
            "\"Loyalty=*\" AND NOT \"Interest=*\"", "@\"A0\" AND \"Interest=Golf\"", "NOT @\"A1\"", "\"Loyalty=Bronze\" OR \"Interest=Golf\"",
        ];
        for (int i = 0; i < expressions.Length; i++)
        {
            _audiences.Create($"A{i}", expressions[i], "ana");
            _audiences.Activate($"A{i}");
        }

        _time.Advance(TimeSpan.FromDays(1));
        _h.Ingest(_h.WriteFile(Row(8, "Loyalty=Gold;Interest=Golf"), Row(4, remove: "Interest=Golf")));
        ProcessingReport report = _audiences.Process();

        Assert.Equal(expressions.Length, report.Processed.Count);
        for (int i = 0; i < expressions.Length; i++)
        {
            (long size, long baseSize) = _audiences.Preview(expressions[i]);
            Assert.Equal(8, baseSize);
            Assert.Equal(size, _audiences.Get($"A{i}").Size);
            Assert.Equal(size, _audiences.Members($"A{i}").Cardinality);
            Assert.Equal((new DateOnly(2026, 11, 2), size), _audiences.History($"A{i}").Select(p => (p.Date, p.Size)).Last());
        }
    }

    [Fact]
    public void Process_KeepsMembershipForDiffs_WithinTheRetention()
    {
        _audiences.Create("Gold", "\"Loyalty=Gold\"", "ana");
        _audiences.Activate("Gold");
        _h.Ingest(_h.WriteFile(Row(1, remove: "Loyalty=Gold"), Row(8, "Loyalty=Gold"), Row(9, "Loyalty=Gold")));
        _audiences.Process(new DateOnly(2026, 11, 5));

        (AudienceDiff diff, var entered, var left) = _audiences.Diff("Gold", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 5));
        Assert.Equal((3L, 4L, 2L, 1L), (diff.SizeFrom, diff.SizeTo, diff.Entered, diff.Left));
        Assert.Equal(People(8, 9), new SortedSet<string>(entered.Select(_audiences.FormatMember), StringComparer.Ordinal));
        Assert.Equal(People(1), new SortedSet<string>(left.Select(_audiences.FormatMember), StringComparer.Ordinal));

        _audiences.Process(new DateOnly(2026, 11, 6));
        _audiences.Process(new DateOnly(2026, 11, 7));
        var gone = Assert.Throws<AudienceRuleException>(() => _audiences.Diff("Gold", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 7)));
        Assert.Contains("no membership kept for 2026-11-01; kept dates: 2026-11-05, 2026-11-06, 2026-11-07", gone.Message, StringComparison.Ordinal);
        Assert.Equal(4, _audiences.History("Gold").Count);
    }

    [Fact]
    public void Composition_CountsEachSegmentOfTheGroupAndNoneOfThem()
    {
        _audiences.Create("Golfers", "\"Interest=Golf\"", "ana");
        _audiences.Activate("Golfers");

        AudienceComposition composition = _audiences.Composition("Golfers");

        Assert.Equal("Loyalty", composition.Group);
        Assert.Equal(
            [("Bronze", 0L), ("Gold", 1L), ("Silver", 1L), (null, 1L)],
            composition.Rows.Select(r => (r.Segment, r.Count)));
        Assert.Equal(1 / 3.0, composition.Rows[1].ShareOfAudience);
        Assert.Equal([("Golf", 3L), ("Tennis", 0L), (null, 0L)], _audiences.Composition("Golfers", "Interest").Rows.Select(r => (r.Segment, r.Count)));
    }

    [Fact]
    public void Snapshot_FreezesMembership_AndCanBeReferenced()
    {
        _audiences.Create("Gold", "\"Loyalty=Gold\"", "ana");
        AudienceSnapshot snapshot = _audiences.Snapshot("Gold", null, "ana");
        _h.Ingest(_h.WriteFile(Row(8, "Loyalty=Gold")));

        Assert.Equal(("Gold 2026-11-01", 3L), (snapshot.Name, snapshot.Size));
        Assert.Equal(3, _audiences.Preview("@\"Gold 2026-11-01\"").Size);
        Assert.Equal(1, _audiences.Preview("\"Loyalty=Gold\" AND NOT @\"Gold 2026-11-01\"").Size);
        Assert.Single(_audiences.Snapshots());
    }

    [Fact]
    public void Overlap_GivesPairwiseCounts()
    {
        _audiences.Create("Gold", "\"Loyalty=Gold\"", "ana");

        OverlapMatrix matrix = _audiences.Overlap(["Gold", "\"Interest=Golf\"", "\"Loyalty=Silver\""]);

        Assert.Equal([3L, 3L, 2L], matrix.Sizes);
        Assert.Equal([3L, 1L, 0L], matrix.Counts[0]);
        Assert.Equal([1L, 3L, 1L], matrix.Counts[1]);
        Assert.Equal(1 / 3.0, matrix.Share(1, 2));
        Assert.Throws<AudienceRuleException>(() => _audiences.Overlap(["Gold"]));
    }

    [Fact]
    public void Overlap_AnAudienceNamedLikeAnExpression_IsThatAudience()
    {
        _audiences.Create("Silver or Gold", "\"Loyalty=Silver\" OR \"Loyalty=Gold\"", "ana");
        _audiences.Create("Golf \"fans\"", "\"Interest=Golf\"", "ana");

        OverlapMatrix matrix = _audiences.Overlap(["Silver or Gold", "Golf \"fans\""]);

        Assert.Equal(
            [_audiences.Preview("\"Loyalty=Silver\" OR \"Loyalty=Gold\"").Size, _audiences.Preview("\"Interest=Golf\"").Size],
            matrix.Sizes);
    }

    [Fact]
    public void References_BlockDeleteAndRename_AndCyclesAreRefused()
    {
        _audiences.Create("Gold", "\"Loyalty=Gold\"", "ana");
        _audiences.Create("Gold golfers", "@\"Gold\" AND \"Interest=Golf\"", "ana");

        Assert.Equal(1, _audiences.Preview("@\"Gold golfers\"").Size);
        Assert.Contains("\"Gold golfers\" refer to it", Assert.Throws<AudienceRuleException>(() => _audiences.Delete("Gold")).Message, StringComparison.Ordinal);
        Assert.Throws<AudienceRuleException>(() => _audiences.Update("Gold", newName: "Au"));
        Assert.ThrowsAny<Exception>(() => _audiences.Update("Gold", expression: "@\"Gold golfers\""));
        Assert.Equal("\"Loyalty=Gold\"", _audiences.Get("Gold").Expression);
    }

    public void Dispose() => _h.Dispose();
}
