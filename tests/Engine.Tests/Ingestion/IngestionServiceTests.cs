using Onboarding.Engine.Ids;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;
using static Onboarding.Engine.Tests.Ingestion.IngestionHarness;

namespace Onboarding.Engine.Tests.Ingestion;

public sealed class IngestionServiceTests : IDisposable
{
    private readonly IngestionHarness _h = new(new IngestionPolicy { MaxRejectedShare = 0.34, EmptyingGuardMinimumSize = 3 });

    [Fact]
    public void Delta_AddsAndRemoves_MoveBetweenTiers()
    {
        _h.Ingest(_h.WriteFile(Row(1, "Loyalty=Silver"), Row(2, "Loyalty=Silver"), Row(3, "Loyalty=Gold")));
        IngestionResult result = _h.Ingest(_h.WriteFile(Row(1, "Loyalty=Gold", "Loyalty=Silver")));

        Assert.Equal(FileOutcome.Applied, result.Outcome);
        Assert.Equal(People(1, 3), _h.Members("Loyalty", "Gold"));
        Assert.Equal(People(2), _h.Members("Loyalty", "Silver"));
        SegmentOutcome silver = result.Segments.Single(s => s.Segment == "Silver");
        Assert.Equal((2L, 1L, 0L, 1L), (silver.SizeBefore, silver.SizeAfter, silver.Added, silver.Removed));
    }

    [Fact]
    public void Delta_LastOperationInFileWinsPerMemberAndSegment()
    {
        _h.Ingest(_h.WriteFile(Row(1, "G=S"), Row(2, "G=S"), Row(9, "G=Other")));
        _h.Ingest(_h.WriteFile(
            Row(1, remove: "G=S"),
            Row(1, "G=S"),
            Row(2, "G=S"),
            Row(2, remove: "G=S"),
            Row(3, "G=S"),
            Row(3, remove: "G=S"),
            Row(3, "G=S")));

        Assert.Equal(People(1, 3), _h.Members("G", "S"));
    }

    [Fact]
    public void Delta_AddingAMemberTwiceOrRemovingAnAbsentOne_IsNotAnError()
    {
        _h.Ingest(_h.WriteFile(Row(1, "G=S"), Row(2, "G=S")));
        IngestionResult result = _h.Ingest(_h.WriteFile(Row(1, "G=S"), Row(5, remove: "G=S")));

        Assert.Equal((FileOutcome.Applied, 0L), (result.Outcome, result.RowsRejected));
        Assert.Equal(People(1, 2), _h.Members("G", "S"));
    }

    [Fact]
    public void Full_SegmentEndsWithExactlyTheListedMembers_OthersUntouched()
    {
        _h.Ingest(_h.WriteFile(Row(1, "G=A"), Row(2, "G=A"), Row(3, "G=A"), Row(4, "G=B")));
        IngestionResult result = _h.Ingest(_h.WriteFile(Row(2, "G=A"), Row(3, "G=A"), Row(7, "G=A")), IngestionMode.Full);

        Assert.Equal(FileOutcome.Applied, result.Outcome);
        Assert.Equal(People(2, 3, 7), _h.Members("G", "A"));
        Assert.Equal(People(4), _h.Members("G", "B"));
    }

    [Fact]
    public void Full_RemoveEntry_IsARowErrorInColumn4()
    {
        IngestionResult result = _h.Ingest(_h.WriteFile(Row(1, "G=A"), Row(2, "G=A"), Row(3, "G=A", "G=B")), IngestionMode.Full);

        Assert.Equal(1, result.RowsRejected);
        string report = File.ReadAllText(result.RejectReportPath!);
        Assert.Contains("4,4,Remove,Remove entries are not allowed in a full refresh file,G=B", report, StringComparison.Ordinal);
        Assert.Equal(People(1, 2), _h.Members("G", "A"));
    }

    [Fact]
    public void Full_ShrinkingASegmentPastTheGuard_IsRefusedUnlessForced()
    {
        _h.Ingest(_h.WriteFile(Row(1, "G=A"), Row(2, "G=A"), Row(3, "G=A"), Row(4, "G=A")));
        string truncated = _h.WriteFile(Row(1, "G=A"));

        IngestionResult refused = _h.Ingest(truncated, IngestionMode.Full);
        Assert.Equal(FileOutcome.Refused, refused.Outcome);
        Assert.Contains("would shrink G=A from 4 to 1 members", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(People(1, 2, 3, 4), _h.Members("G", "A"));

        IngestionResult forced = _h.Ingest(truncated, IngestionMode.Full, force: true);
        Assert.Equal(FileOutcome.Applied, forced.Outcome);
        Assert.Equal(People(1), _h.Members("G", "A"));
    }

    [Fact]
    public void Delta_EmptyingALargeSegment_NeedsForce()
    {
        _h.Ingest(_h.WriteFile(Row(1, "G=A"), Row(2, "G=A"), Row(3, "G=A")));
        string wipe = _h.WriteFile(Row(1, remove: "G=A"), Row(2, remove: "G=A"), Row(3, remove: "G=A"));

        IngestionResult refused = _h.Ingest(wipe);
        Assert.Equal(FileOutcome.Refused, refused.Outcome);
        Assert.Contains("would remove every one of the 3 members of G=A", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(3, _h.Members("G", "A")!.Count);

        Assert.Equal(FileOutcome.Applied, _h.Ingest(wipe, force: true).Outcome);
        Assert.Empty(_h.Members("G", "A")!);
    }

    [Fact]
    public void Static_CreatesStaticSegments_ThatCannotBeUploadedAgainOrChangedByDelta()
    {
        IngestionResult created = _h.Ingest(_h.WriteFile(Row(1, "Purchasers 2022=Q1"), Row(2, "Purchasers 2022=Q1")), IngestionMode.Static);
        Assert.Equal(SegmentType.Static, created.Segments.Single().Type);
        string today = _h.Data.Client("default").FindSegment("Purchasers 2022", "Q1")!.Created.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        IngestionResult again = _h.Ingest(_h.WriteFile(Row(3, "Purchasers 2022=Q1"), Row(4, "Purchasers 2022=Q2"), Row(5, "Purchasers 2022=Q2")), IngestionMode.Static);
        IngestionResult delta = _h.Ingest(_h.WriteFile(Row(6, "Purchasers 2022=Q1"), Row(7, "X=Y"), Row(8, "X=Y")));

        string expected = $"segment Purchasers 2022=Q1 is static, uploaded once on {today}; it cannot be changed";
        Assert.Contains(expected, File.ReadAllText(again.RejectReportPath!), StringComparison.Ordinal);
        Assert.Contains(expected, File.ReadAllText(delta.RejectReportPath!), StringComparison.Ordinal);
        Assert.Equal(People(1, 2), _h.Members("Purchasers 2022", "Q1"));
        Assert.Equal(People(4, 5), _h.Members("Purchasers 2022", "Q2"));
    }

    [Fact]
    public void Static_OntoAnExistingDynamicSegment_IsARowError()
    {
        _h.Ingest(_h.WriteFile(Row(1, "G=A"), Row(2, "G=A"), Row(3, "G=A")));
        IngestionResult result = _h.Ingest(_h.WriteFile(Row(4, "G=A"), Row(5, "G=B"), Row(6, "G=B")), IngestionMode.Static);

        Assert.Contains("already exists as a dynamic segment", File.ReadAllText(result.RejectReportPath!), StringComparison.Ordinal);
        Assert.Equal(People(1, 2, 3), _h.Members("G", "A"));
    }

    [Fact]
    public void Static_RemoveEntry_IsARowError()
    {
        IngestionResult result = _h.Ingest(_h.WriteFile(Row(1, "G=A"), Row(2, "G=A"), Row(3, "G=A", "G=B")), IngestionMode.Static);
        Assert.Contains("Remove entries are not allowed in a static file", File.ReadAllText(result.RejectReportPath!), StringComparison.Ordinal);
    }

    [Fact]
    public void SameContentTwice_IsADuplicateUnlessForced()
    {
        string path = _h.WriteFile(Row(1, "G=A"));
        _h.Ingest(path);
        string copy = _h.WriteFileNamed("copy.csv", Row(1, "G=A"));

        IngestionResult duplicate = _h.Ingest(copy);
        Assert.Equal(FileOutcome.Duplicate, duplicate.Outcome);
        Assert.Contains("already applied", duplicate.Reason, StringComparison.Ordinal);
        Assert.Equal(1, _h.Data.Catalog.Segments("default").Single().CurrentVersion);

        Assert.Equal(FileOutcome.Applied, _h.Ingest(copy, force: true).Outcome);
    }

    [Fact]
    public void TooManyBadRows_RefusesTheWholeFile_ButWritesTheReport()
    {
        _h.Ingest(_h.WriteFile(Row(1, "G=A")));
        IngestionResult result = _h.Ingest(_h.WriteFile(Row(2, "G=A"), "HEMSHA2,0xabc,G=A,", "HEMSHA2,,G=A,"));

        Assert.Equal(FileOutcome.Refused, result.Outcome);
        Assert.Contains("2 of 3 rows (66.7%) were rejected, above the 34% limit", result.Reason, StringComparison.Ordinal);
        Assert.Equal(3, File.ReadAllLines(result.RejectReportPath!).Length);
        Assert.Equal(People(1), _h.Members("G", "A"));
    }

    [Fact]
    public void SomeBadRows_AreLeftOutAndReported_WithLineColumnAndValue()
    {
        IngestionResult result = _h.Ingest(_h.WriteFile(Row(1, "G=A"), Row(2, "G=A"), "HEMSHA2,0xabc,G=A,", Row(3, "G=A")));

        Assert.Equal((FileOutcome.Applied, 4L, 3L, 1L), (result.Outcome, result.RowsRead, result.RowsApplied, result.RowsRejected));
        string[] report = File.ReadAllLines(result.RejectReportPath!);
        Assert.Equal("line,column,column_name,reason,value", report[0]);
        Assert.StartsWith("4,2,ID,", report[1], StringComparison.Ordinal);
        Assert.EndsWith(",0xabc", report[1], StringComparison.Ordinal);
        Assert.Equal(People(1, 2, 3), _h.Members("G", "A"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("ID Type,ID,Add,Remove\n", "no rows")]
    [InlineData("ID,Add,Remove\nx,y,z\n", "ID Type")]
    public void UnreadableOrEmptyFiles_AreRefusedWithTheReason(string content, string reasonPart)
    {
        _h.Ingest(_h.WriteFile(Row(1, "G=A")));
        string path = _h.WriteFileNamed("bad.csv");
        File.WriteAllText(path, content);

        IngestionResult result = _h.Ingest(path);

        Assert.Equal(FileOutcome.Refused, result.Outcome);
        Assert.Contains(reasonPart, result.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("bad.csv", result.Reason, StringComparison.Ordinal);
        Assert.Equal(People(1), _h.Members("G", "A"));
    }

    [Fact]
    public void DryRun_ReportsChangesButCommitsNothing()
    {
        _h.Ingest(_h.WriteFile(Row(1, "G=A")));
        long idsBefore = _h.Data.Client("default").Dictionary(IdType.HemSha2).Count;

        IngestionResult result = _h.Ingest(_h.WriteFile(Row(2, "G=A"), Row(3, "G=B")), dryRun: true);

        Assert.True(result.DryRun);
        Assert.Equal(2, result.NewIds);
        Assert.Equal([("G=A", 1L, 2L), ("G=B", 0L, 1L)], result.Segments.Select(s => (s.Name, s.SizeBefore, s.SizeAfter)));
        Assert.Equal(People(1), _h.Members("G", "A"));
        Assert.Null(_h.Members("G", "B"));
        Assert.Equal(idsBefore, _h.Data.Client("default").Dictionary(IdType.HemSha2).Count);
        Assert.Single(_h.Data.Catalog.Files("default"));
    }

    [Fact]
    public void Clients_AreIsolated()
    {
        _h.Ingest(_h.WriteFile(Row(1, "G=A")), client: "acme");
        _h.Ingest(_h.WriteFile(Row(2, "G=A")), client: "globex");

        Assert.Equal(People(1), _h.Members("G", "A", "acme"));
        Assert.Equal(People(2), _h.Members("G", "A", "globex"));
        Assert.Null(_h.Members("G", "A"));
        Assert.False(_h.Data.Client("globex").Dictionary(IdType.HemSha2).TryGetOrdinal(Convert.FromHexString(Id(1)), out _));
    }

    [Fact]
    public void Reopen_KeepsEverything_AndDeletesUncommittedVersionFiles()
    {
        _h.Ingest(_h.WriteFile(Row(1, "G=A"), Row(2, "G=A")));
        SegmentInfo segment = _h.Data.Client("default").FindSegment("G", "A")!;
        string debris = _h.Data.Client("default").Segments.PathOf(segment.Id, segment.CurrentVersion + 1);
        File.WriteAllBytes(debris, [1, 2, 3]);

        _h.Reopen();

        Assert.Equal(People(1, 2), _h.Members("G", "A"));
        Assert.False(File.Exists(debris));
    }

    [Fact]
    public void SecondWriter_IsRefusedWithAClearError()
    {
        var error = Assert.Throws<DataFolderLockedException>(() => DataFolder.Open(_h.DataPath));
        Assert.Contains("in use by another onboard process", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AppliedFile_WritesASummaryBesideIt()
    {
        IngestionResult result = _h.Ingest(_h.WriteFile(Row(1, "G=A")));
        IngestionResult summary = IngestionSummary.Read(result.SummaryPath!);
        Assert.Equal((result.FileName, 1L, FileOutcome.Applied), (summary.FileName, summary.RowsApplied, summary.Outcome));
        Assert.Equal("G=A", summary.Segments.Single().Name);
    }

    [Fact]
    public void ConventionalFileName_IsRecognised_AndRecordedInTheSummary()
    {
        IngestionResult result = _h.Ingest(_h.WriteFileNamed("HEMSHA2_acme_20260131.csv", Row(1, "G=A")));
        Assert.Equal((IdType.HemSha2, "acme", new DateOnly(2026, 1, 31)), (result.NamedAs!.IdType, result.NamedAs.Client, result.NamedAs.Date));
        Assert.Equal(result.NamedAs, IngestionSummary.Read(result.SummaryPath!).NamedAs);
        Assert.Null(_h.Ingest(_h.WriteFile(Row(2, "G=A"))).NamedAs);
    }

    public void Dispose() => _h.Dispose();
}
