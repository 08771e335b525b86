using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;
using Onboarding.Engine.Tests.Ingestion;
using static Onboarding.Engine.Tests.Exports.ExportHarness;

namespace Onboarding.Engine.Tests.Exports;

/// <summary>Runs to a local folder destination: content, layout, history, minimum size, deltas and crash recovery.</summary>
public sealed class ExportRunnerTests : IDisposable
{
    private readonly ExportHarness _h = new();

    [Fact]
    public async Task Run_FullExport_DeliversEveryMemberInOrdinalOrder_AndRecordsACompleteRun()
    {
        _h.Export();
        var at = new DateTimeOffset(2026, 3, 2, 6, 30, 0, TimeSpan.Zero);

        ExportRun run = await _h.Runner.RunAsync("gold-daily", at, CancellationToken.None);

        Assert.True(run.State == ExportRunState.Complete, run.Error);
        Assert.Equal(["Gold_20260302_0630.csv"], _h.Delivered());
        Assert.Empty(_h.Hidden());
        string[] lines = File.ReadAllLines(Path.Combine(_h.OutFolder, "Gold_20260302_0630.csv"));
        Assert.Equal(["id_type,id", .. IdsOf(Enumerable.Range(1, GoldPeople)).Select(id => "HEMSHA2," + id)], lines);
        Assert.Equal((GoldPeople, new FileInfo(Path.Combine(_h.OutFolder, run.FileName!)).Length), (run.Rows, run.Bytes));
        Assert.Equal((1, at, _h.OutFolder), (run.Attempt, run.ScheduledFor, run.Destination));
        Assert.Null(run.TemporaryName);

        // The history is durable and read back by a fresh store.
        ExportRun stored = Assert.Single(new ExportStore(_h.Ingestion.DataPath, "default").ListRuns("gold-daily"));
        Assert.Equal(run, stored);
    }

    [Fact]
    public async Task Run_FormatOptions_HeaderOffCrlfPipeAndEveryColumnKind()
    {
        _h.Export(change: e => e with
        {
            FileNameTemplate = "{export}.txt",
            Format = new ExportFormat
            {
                Header = false,
                RecordDelimiter = RecordDelimiter.CrLf,
                FieldDelimiter = FieldDelimiter.Pipe,
                Columns = ["id", "audience", "export_date", "segments:Interest", "id_type"],
            },
            Schedule = e.Schedule with { TimeZone = "America/New_York" },
        });

        ExportRun run = await _h.Runner.RunAsync("gold-daily", new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero), CancellationToken.None);

        Assert.True(run.State == ExportRunState.Complete, run.Error);
        string text = File.ReadAllText(Path.Combine(_h.OutFolder, "gold-daily.txt"));
        Assert.DoesNotContain("\n", text.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        string[] rows = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(GoldPeople, rows.Length);
        // 03:00 UTC is still March 1st in New York.
        Assert.Equal($"{IngestionHarness.Id(1)}|Gold|2026-03-01||HEMSHA2", rows[0]);
        Assert.Equal($"{IngestionHarness.Id(2)}|Gold|2026-03-01|Golf|HEMSHA2", rows[1]);
    }

    [Fact]
    public async Task Run_SemicolonDelimiter_QuotesFieldsThatHoldIt()
    {
        _h.Audiences.Snapshot("Gold", "Gold; March", "ana");
        _h.Export(change: e => e with
        {
            Audience = "Gold; March",
            Format = new ExportFormat { FieldDelimiter = FieldDelimiter.Semicolon, Columns = ["audience", "id"] },
        });

        ExportRun run = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);

        Assert.True(run.State == ExportRunState.Complete, run.Error);
        string[] lines = File.ReadAllLines(Path.Combine(_h.OutFolder, "Gold__March_20260302_0900.csv"));
        Assert.Equal("audience;id", lines[0]);
        Assert.Equal($"\"Gold; March\";{IngestionHarness.Id(1)}", lines[1]);
        Assert.Equal(GoldPeople + 1, lines.Length);
    }

    [Fact]
    public async Task Run_FileNameTokens_RenderInTheScheduleTimeZone()
    {
        _h.Export(change: e => e with
        {
            FileNameTemplate = "{client}-{export}-{audience}-{yyyy-MM-dd}T{HHmm}.csv",
            Schedule = e.Schedule with { TimeZone = "Asia/Tokyo" },
        });

        ExportRun run = await _h.Runner.RunAsync("gold-daily", new DateTimeOffset(2026, 12, 31, 20, 5, 0, TimeSpan.Zero), CancellationToken.None);

        Assert.Equal("default-gold-daily-Gold-2027-01-01T0505.csv", run.FileName);
        Assert.Equal([run.FileName!], _h.Delivered());
    }

    [Fact]
    public async Task Run_AudienceBelowTheMinimumSize_FailsWithThatReason_AndDeliversNothing()
    {
        _h.Exports.SetMinimumAudienceSize(121);
        _h.Export();

        ExportRun run = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);

        Assert.Equal(ExportRunState.Failed, run.State);
        Assert.Equal(
            "Audience \"Gold\" has 120 members, fewer than client default's minimum export size of 121; small audiences are not exported so that they cannot single people out.",
            run.Error);
        Assert.Empty(Directory.GetFiles(_h.OutFolder));
    }

    [Fact]
    public async Task Run_DefaultMinimumOf100_RefusesA99MemberAudience()
    {
        _h.Audiences.Create("Few", "\"Interest=Golf\"", "ana");
        _h.Export(change: e => e with { Audience = "Few" });

        ExportRun run = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);

        Assert.Equal(ExportState.Active, _h.Exports.Get("gold-daily").State);
        Assert.Equal(ExportRunState.Failed, run.State);
        Assert.Contains("has 75 members, fewer than client default's minimum export size of 100", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DestinationFolderMissing_FailsWithTheReason_AndARetryCountsTheAttempt()
    {
        _h.Exports.AddFolderDestination("gone", _h.PathOf("missing"), "ana");
        _h.Export(change: e => e with { Destination = "gone" });
        DateTimeOffset at = _h.Time.GetUtcNow();

        ExportRun first = await _h.Runner.RunAsync("gold-daily", at, CancellationToken.None);
        Directory.CreateDirectory(_h.PathOf("missing"));
        ExportRun retry = await _h.Runner.RunAsync("gold-daily", at, CancellationToken.None);

        Assert.Equal((ExportRunState.Failed, 1), (first.State, first.Attempt));
        Assert.Equal($"{_h.PathOf("missing")}: the destination folder does not exist.", first.Error);
        Assert.Equal((ExportRunState.Complete, 2), (retry.State, retry.Attempt));
    }

    [Fact]
    public async Task Run_Canceled_EndsCanceled_AndLeavesNoFile()
    {
        _h.Export();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        ExportRun run = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), cancel.Token);

        Assert.Equal(ExportRunState.Canceled, run.State);
        Assert.Empty(Directory.GetFiles(_h.OutFolder));
    }

    [Fact]
    public async Task Run_CanceledConfiguration_IsRefused()
    {
        _h.Export();
        _h.Exports.Cancel("gold-daily");

        var error = await Assert.ThrowsAsync<ExportException>(() => _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None));
        Assert.Equal("Export \"gold-daily\" is canceled; it does not run any more.", error.Message);
        Assert.Throws<ExportException>(() => _h.Exports.Activate("gold-daily"));
    }

    [Fact]
    public async Task Recover_InProgressRunLeftByACrash_EndsFailedInterrupted_TempFileRemoved_ThenRetrySucceeds()
    {
        _h.Export();
        DateTimeOffset at = _h.Time.GetUtcNow();
        ExportStore store = _h.Exports.Store;
        ExportRun crashed = store.AddRun(new ExportRun { Id = 0, Export = "gold-daily", Audience = "Gold", State = ExportRunState.Scheduled, ScheduledFor = at });
        crashed = crashed with { State = ExportRunState.InProgress, Started = at, FileName = "Gold_20260302_0900.csv", TemporaryName = $".Gold_20260302_0900.csv.{crashed.Id}.part" };
        store.SaveRun(crashed);
        File.WriteAllText(Path.Combine(_h.OutFolder, crashed.TemporaryName!), "HEMSHA2,half a fi");

        int recovered = _h.NewRunner().RecoverInterrupted();

        Assert.Equal(1, recovered);
        ExportRun closed = store.FindRun(crashed.Id)!;
        Assert.Equal(ExportRunState.Failed, closed.State);
        Assert.StartsWith("interrupted", closed.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_h.OutFolder));

        ExportRun retry = await _h.Runner.RunAsync("gold-daily", at, CancellationToken.None);
        Assert.Equal((ExportRunState.Complete, 2), (retry.State, retry.Attempt));
    }

    [Fact]
    public async Task Recover_WhileThisProcessRunsTheExport_LeavesThatRunAlone()
    {
        _h.Export();
        var locks = new ClientWriteLocks();
        var runner = new ExportRunner(_h.Ingestion.Data, "default", _h.Protector, _h.Time, locks: locks);
        ExportStore store = _h.Exports.Store;
        Task<ExportRun> running;
        using (locks.Acquire("default"))
        {
            // The run waits for the client's lock to read the members, its row already in progress.
            running = Task.Run(() => runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None));
            await WaitUntil(() => store.ListRuns("gold-daily") is [{ State: ExportRunState.InProgress }]);

            // What a forwarded onboard export run does inside the watcher, and the scheduler at its start-up.
            Assert.Equal(0, _h.NewRunner().RecoverInterrupted());
            Assert.Equal(ExportRunState.InProgress, Assert.Single(store.ListRuns("gold-daily")).State);
        }

        ExportRun done = await running;
        Assert.Equal((ExportRunState.Complete, 1), (done.State, done.Attempt));
        Assert.Equal([done.FileName!], _h.Delivered());
    }

    [Fact]
    public void Recover_ARowLeftScheduled_IsClosedToo()
    {
        _h.Export();
        ExportRun left = _h.Exports.Store.AddRun(new ExportRun { Id = 0, Export = "gold-daily", Audience = "Gold", State = ExportRunState.Scheduled, ScheduledFor = _h.Time.GetUtcNow() });

        Assert.Equal(1, _h.NewRunner().RecoverInterrupted());

        ExportRun closed = _h.Exports.Store.FindRun(left.Id)!;
        Assert.Equal(ExportRunState.Failed, closed.State);
        Assert.StartsWith("interrupted", closed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhileAnotherRunIsInProgress_IsRefused()
    {
        _h.Export();
        ExportStore store = _h.Exports.Store;
        ExportRun other = store.AddRun(new ExportRun { Id = 0, Export = "gold-daily", Audience = "Gold", State = ExportRunState.InProgress, ScheduledFor = _h.Time.GetUtcNow() });

        var error = await Assert.ThrowsAsync<ExportException>(() => _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow().AddDays(1), CancellationToken.None));
        Assert.StartsWith($"Export \"gold-daily\" is already running (run {other.Id}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeltaExports_FedBackToIngestion_ReproduceTheAudience()
    {
        _h.Export(change: e => e with { Content = ContentMode.Delta, FileNameTemplate = "{audience}_{yyyyMMdd_HHmmss}.csv" });
        using var partner = new IngestionHarness();

        // First run: everybody enters.
        ExportRun first = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);
        Assert.True(first.State == ExportRunState.Complete, first.Error);
        Assert.Equal(GoldPeople, first.Rows);
        Apply(partner, first);
        Assert.Equal(Members(_h), partner.Members("Audience", "Gold"));

        // People 1–10 leave Gold, 121–135 join it; the audience is processed again.
        _h.Ingestion.Ingest(_h.Ingestion.WriteFile([
            .. Enumerable.Range(1, 10).Select(n => IngestionHarness.Row(n, remove: "Loyalty=Gold")),
            .. Enumerable.Range(121, 15).Select(n => IngestionHarness.Row(n, add: "Loyalty=Gold")),
        ]));
        _h.Audiences.Process();
        _h.Time.Advance(TimeSpan.FromHours(1));

        ExportRun second = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);
        Assert.True(second.State == ExportRunState.Complete, second.Error);
        Assert.Equal(25, second.Rows);
        string[] lines = File.ReadAllLines(Path.Combine(_h.OutFolder, second.FileName!));
        Assert.Equal("ID Type,ID,Add,Remove", lines[0]);
        Assert.Equal($"HEMSHA2,{IngestionHarness.Id(1)},,Audience=Gold", lines[1]);
        Assert.Contains($"HEMSHA2,{IngestionHarness.Id(121)},Audience=Gold,", lines);
        Apply(partner, second);
        Assert.Equal(Members(_h), partner.Members("Audience", "Gold"));
        Assert.Equal(125, partner.Members("Audience", "Gold")!.Count);

        // Nothing changed: the next delta is empty but still a valid onboarding file.
        _h.Time.Advance(TimeSpan.FromHours(1));
        ExportRun third = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);
        Assert.Equal((ExportRunState.Complete, 0L), (third.State, third.Rows));
    }

    [Fact]
    public async Task DeltaDeliveredByARunInterruptedBeforeItKeptTheMembership_LaterDeltasFitEitherPartnerState()
    {
        _h.Export(change: e => e with { Content = ContentMode.Delta, FileNameTemplate = "{audience}_{yyyyMMdd_HHmmss}.csv" });
        using var received = new IngestionHarness();
        using var missed = new IngestionHarness();
        ExportRun first = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);
        Apply(received, first);
        Apply(missed, first);
        string lastRun = Path.Combine(_h.Exports.Store.StateFolder("gold-daily"), "last.roar");
        string pendingRun = Path.Combine(_h.Exports.Store.StateFolder("gold-daily"), "pending.roar");
        byte[] keptByFirst = File.ReadAllBytes(lastRun);

        // 121–135 join; the second run's file is renamed into place (one partner takes it), then the process dies
        // before it keeps the membership: the state files and the history as that crash leaves them.
        ChangeGold(leave: [], join: Enumerable.Range(121, 15));
        ExportRun second = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);
        Apply(received, second);
        File.Move(lastRun, pendingRun, overwrite: true);
        File.WriteAllBytes(lastRun, keptByFirst);
        _h.Exports.Store.SaveRun(second with { State = ExportRunState.InProgress, Ended = null });
        Assert.Equal(1, _h.NewRunner().RecoverInterrupted());

        // 121–125 leave again (they entered in the file only one partner got), and 1–10 leave; this run cannot
        // deliver (the destination folder is away), like a crash before its rename.
        ChangeGold(leave: [.. Enumerable.Range(121, 5), .. Enumerable.Range(1, 10)], join: []);
        Directory.Move(_h.OutFolder, _h.OutFolder + ".away");
        ExportRun third = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);
        Directory.Move(_h.OutFolder + ".away", _h.OutFolder);
        Assert.Equal(ExportRunState.Failed, third.State);

        ChangeGold(leave: [], join: Enumerable.Range(136, 5));
        ExportRun fourth = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);
        Assert.True(fourth.State == ExportRunState.Complete, fourth.Error);
        Apply(received, fourth);
        Apply(missed, fourth);

        Assert.Equal(Members(_h), received.Members("Audience", "Gold"));
        Assert.Equal(Members(_h), missed.Members("Audience", "Gold"));
        Assert.False(File.Exists(pendingRun));
    }

    [Fact]
    public async Task ExportToFile_WritesHeaderAndDefaultColumns_ReplacingAnExistingFileWhole()
    {
        string path = _h.PathOf("now.csv");
        File.WriteAllText(path, "old");

        LocalExport result = await _h.Runner.ExportToFileAsync("Gold", path, new ExportFormat(), CancellationToken.None);

        Assert.Equal((GoldPeople, new FileInfo(path).Length), (result.Rows, result.Bytes));
        Assert.Equal("id_type,id", File.ReadLines(path).First());
        Assert.Equal(GoldPeople + 1, File.ReadAllLines(path).Length);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, "*now.csv*"));
    }

    private void ChangeGold(IEnumerable<int> leave, IEnumerable<int> join)
    {
        _h.Ingestion.Ingest(_h.Ingestion.WriteFile([
            .. leave.Select(n => IngestionHarness.Row(n, remove: "Loyalty=Gold")),
            .. join.Select(n => IngestionHarness.Row(n, add: "Loyalty=Gold")),
        ]));
        _h.Audiences.Process();
        _h.Time.Advance(TimeSpan.FromHours(1));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "timed out");
            await Task.Delay(20);
        }
    }

    private static SortedSet<string> Members(ExportHarness h) =>
        new(h.Audiences.Members("Gold").Select(h.Audiences.FormatMember), StringComparer.Ordinal);

    private void Apply(IngestionHarness partner, ExportRun run)
    {
        IngestionResult result = partner.Service.Ingest(new IngestionRequest(Path.Combine(_h.OutFolder, run.FileName!)) { Client = DataFolder.DefaultClient, ReportFolder = _h.PathOf("reports") });
        Assert.True(result.IsApplied && result.RowsRejected == 0, $"{result.Outcome}, {result.RowsRejected} rejected");
    }

    public void Dispose() => _h.Dispose();
}
