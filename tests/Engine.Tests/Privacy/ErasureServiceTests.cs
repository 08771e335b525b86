using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Audit;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Privacy;
using Onboarding.Engine.Storage;
using Onboarding.Engine.Tests.Ingestion;
using static Onboarding.Engine.Tests.Ingestion.IngestionHarness;

namespace Onboarding.Engine.Tests.Privacy;

public sealed class ErasureServiceTests : IDisposable
{
    private readonly IngestionHarness _h = new(new IngestionPolicy { MaxRejectedShare = 1 });
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));

    public ErasureServiceTests()
    {
        _time.SetLocalTimeZone(TimeZoneInfo.Utc);
        _h.Ingest(_h.WriteFile(Row(1, "Loyalty=Gold;Interest=Golf"), Row(2, "Loyalty=Gold"), Row(3, "Interest=Golf")));
        _h.Ingest(_h.WriteFile(Row(1, "Promo=BF"), Row(4, "Promo=BF")), IngestionMode.Static);
    }

    [Fact]
    public void Forget_RemovesTheIdFromEverySegment_StaticOnesToo_InOneCommit()
    {
        long sequence = Store.NextSequence;

        ErasureResult result = Forget(Id(1));

        Assert.Equal((1, 1L, 1L), (result.IdsGiven, result.SuppressionChanged, result.SuppressedTotal));
        Assert.Equal(["Interest=Golf", "Loyalty=Gold", "Promo=BF"], result.Segments.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal(People(2), _h.Members("Loyalty", "Gold"));
        Assert.Equal(People(3), _h.Members("Interest", "Golf"));
        Assert.Equal(People(4), _h.Members("Promo", "BF"));
        Assert.Equal(sequence + 1, Store.NextSequence);
        Assert.Equal(1, Store.FindSegment("Loyalty", "Gold")!.Size); // the catalog (segment show, TUI) agrees
    }

    [Fact]
    public void ForgottenId_StaysOut_WhenALaterUploadAddsItAgain_EvenAfterReopen()
    {
        Forget(Id(1), Id(99)); // 99 was never uploaded: it must stay out when it first arrives
        _h.Reopen();

        _h.Ingest(_h.WriteFile(Row(1, "Loyalty=Gold;Interest=Tennis"), Row(99, "Loyalty=Gold"), Row(5, "Loyalty=Gold")));
        _h.Ingest(_h.WriteFile(Row(1, "Interest=Golf"), Row(3, "Interest=Golf")), IngestionMode.Full);

        Assert.Equal(People(2, 5), _h.Members("Loyalty", "Gold"));
        Assert.Null(_h.Members("Interest", "Tennis")); // its only member was forgotten: no empty segment is created
        Assert.Equal(People(3), _h.Members("Interest", "Golf"));
    }

    [Fact]
    public void Undo_LetsLaterUploadsAddTheIdAgain_WithoutRestoringRemovedMemberships()
    {
        Forget(Id(1));
        ErasureResult undone = new ErasureService(_h.Data, _time).Apply(new ErasureRequest("default", IdType.HemSha2, [Id(1)]) { Undo = true });
        Assert.Equal((1L, 0L), (undone.SuppressionChanged, undone.SuppressedTotal));
        Assert.Equal(People(2), _h.Members("Loyalty", "Gold"));

        _h.Reopen();
        _h.Ingest(_h.WriteFile(Row(1, "Loyalty=Gold")));
        Assert.Equal(People(1, 2), _h.Members("Loyalty", "Gold"));
    }

    [Fact]
    public void Audiences_PreviewsSnapshotsRunsAndProcessing_NeverShowAForgottenId()
    {
        var audiences = new AudienceService(_h.Data, "default", time: _time);
        audiences.Create("Gold", "\"Loyalty=Gold\"", "ana");
        audiences.Activate("Gold"); // a processing run holding person 1 is stored today
        audiences.Snapshot("Gold", "Gold frozen", "ana"); // so is a snapshot
        audiences.Create("From snapshot", "@\"Gold frozen\"", "ana");
        uint member = MemberOf(1);
        Assert.True(audiences.Members("Gold").Contains(member));

        Forget(Id(1));

        Assert.False(audiences.Members("Gold").Contains(member)); // the stored run is read without it
        Assert.False(audiences.Members("From snapshot").Contains(member)); // the snapshot too
        Assert.Equal((1L, 3L), audiences.Preview("\"Loyalty=Gold\""));
        Assert.Equal((1L, 3L), audiences.Preview("@\"Gold frozen\""));
        Assert.Equal(1, audiences.Composition("Gold", "Loyalty").AudienceSize);
        Assert.Equal(1L, Assert.Single(audiences.Process(new DateOnly(2026, 11, 2)).Processed).Size);
        Assert.Equal(0, audiences.Diff("Gold", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 2)).Diff.Left); // both runs read without it
    }

    [Fact]
    public void BadId_IsRefusedWithItsPosition_AndNothingChanges()
    {
        long sequence = Store.NextSequence;

        var error = Assert.Throws<ArgumentException>(() => Forget(Id(1), "not-a-hash"));

        Assert.Contains("ID 2 (\"not-a-hash\") is not a valid HEMSHA2", error.Message, StringComparison.Ordinal);
        Assert.Equal(sequence, Store.NextSequence);
        Assert.Equal(People(1, 2), _h.Members("Loyalty", "Gold"));
        Assert.True(Store.Suppressed.IsEmpty);
    }

    [Fact]
    public void Forget_IsAudited_WithoutTheIdsThemselves()
    {
        Forget(Id(1), Id(2));

        AuditRecord record = Assert.Single(_h.Data.Audit.Read());
        Assert.Equal(("zoe", AuditActions.Forget, "default", "2 HEMSHA2 IDs"), (record.Actor, record.Action, record.Client, record.Target));
        Assert.DoesNotContain(Id(1), File.ReadAllText(_h.Data.Audit.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void SuppressionFileWithoutItsJournalLine_IsDebris_DeletedOnOpen_AndNothingIsSuppressed()
    {
        Forget(Id(3));
        string stray = Store.SuppressionPathOf(2);
        var bitmap = new RoaringBitmap();
        bitmap.Add(MemberOf(2));
        using (FileStream file = File.Create(stray))
        {
            bitmap.Serialize(file);
        }

        _h.Reopen();

        Assert.False(File.Exists(stray));
        Assert.Equal(1, Store.Suppressed.Cardinality);
        Assert.True(Store.Suppressed.Contains(MemberOf(3)));
    }

    [Fact]
    public void OtherClients_AreUntouched()
    {
        _h.Ingest(_h.WriteFile(Row(1, "Loyalty=Gold")), client: "beta");

        Forget(Id(1));

        Assert.Equal(People(1), _h.Members("Loyalty", "Gold", "beta"));
        Assert.True(_h.Data.Client("beta").Suppressed.IsEmpty);
    }

    private ClientStore Store => _h.Data.Client("default");

    private uint MemberOf(int person)
    {
        Assert.True(Store.Dictionary(IdType.HemSha2).TryGetOrdinal(Convert.FromHexString(Id(person)), out uint ordinal));
        return MemberSpace.ToMember(IdType.HemSha2, ordinal);
    }

    private ErasureResult Forget(params string[] ids) =>
        new ErasureService(_h.Data, _time).Apply(new ErasureRequest("default", IdType.HemSha2, ids) { Actor = "zoe" });

    public void Dispose() => _h.Dispose();
}
