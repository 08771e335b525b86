using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;
using Onboarding.Engine.Tests.Ids;

namespace Onboarding.Engine.Tests.Inbox;

public sealed class InboxProcessorTests : IAsyncLifetime
{
    private const string Source = "local:test";
    private readonly TempFolder _folder = new();
    private readonly ClientWriteLocks _locks = new();
    private DataFolder _data = null!;
    private InboxProcessor _processor = null!;

    private string Inbox => _folder.File("inbox");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Inbox);
        _data = DataFolder.Open(_folder.File("data"));
        _processor = CreateSut();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SameClient_FilesAreIngestedOneAtATime_InArrivalOrder()
    {
        // Add, remove, add, remove, add the same member: only the arrival order gives the right end state.
        for (int i = 0; i < 5; i++)
        {
            string op = i % 2 == 0 ? $"{Row(1)},Tier=Gold," : $"{Row(1)},,Tier=Gold";
            Enqueue(WriteFile($"acme/f{i}.csv", op, $"{Row(100 + i)},Seen=Yes,"));
        }

        await WaitIdleAsync();

        Assert.Equal(["f0.csv", "f1.csv", "f2.csv", "f3.csv", "f4.csv"], _data.Catalog.Files("acme").Select(f => f.FileName));
        Assert.All(_data.Catalog.Files("acme"), f => Assert.Equal(FileOutcome.Applied, f.Outcome));
        Assert.Equal(1, _data.Client("acme").FindSegment("Tier", "Gold")!.Size);
        Assert.All(_data.Catalog.ReceivedFiles("acme"), r => Assert.Equal(ReceivedFileState.Processed, r.State));
    }

    [Fact]
    public async Task AFileWithAFewBadRows_IsApplied_WithItsRejectReportBesideItInProcessed()
    {
        var rows = Enumerable.Range(0, 200).Select(i => $"{Row(i)},Tier=Gold,").Append("HEMSHA2,not-a-hash,Tier=Gold,").ToArray();
        Enqueue(WriteFile("acme/bad-row.csv", rows));

        await WaitIdleAsync();

        ReceivedFile received = Assert.Single(_data.Catalog.ReceivedFiles("acme"));
        Assert.Equal((ReceivedFileState.Processed, 200L, 1L), (received.State, received.RowsApplied, received.RowsRejected));
        Assert.Equal(Path.GetDirectoryName(received.Path), Path.GetDirectoryName(received.RejectReportPath));
        Assert.Contains("not-a-hash", File.ReadAllText(received.RejectReportPath!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DifferentClients_DoNotWaitForEachOther()
    {
        Enqueue(WriteFile("slow/a.csv", $"{Row(1)},Tier=Gold,"));
        IDisposable slowLock = _locks.Acquire("slow"); // another writer holds client "slow"
        try
        {
            Enqueue(WriteFile("slow/b.csv", $"{Row(2)},Tier=Gold,"));
            Enqueue(WriteFile("fast/c.csv", $"{Row(3)},Tier=Gold,"));
            await WaitUntilAsync(() => _data.Catalog.ReceivedFiles("fast").Any(r => r.State == ReceivedFileState.Processed));
            Assert.Contains(_data.Catalog.ReceivedFiles("slow"), r => r.State != ReceivedFileState.Processed);
        }
        finally
        {
            slowLock.Dispose();
        }

        await WaitIdleAsync();
        Assert.Equal(["a.csv", "b.csv"], _data.Catalog.Files("slow").Select(f => f.FileName));
    }

    [Fact]
    public async Task ManyFilesOfTwoClients_InParallel_AreAllAppliedOnce()
    {
        for (int i = 0; i < 20; i++)
        {
            Enqueue(WriteFile($"one/f{i:00}.csv", $"{Row(i)},Tier=Gold,"));
            Enqueue(WriteFile($"two/f{i:00}.csv", $"{Row(1000 + i)},Tier=Gold,"));
        }

        await WaitIdleAsync();

        foreach (string client in new[] { "one", "two" })
        {
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"f{i:00}.csv"), _data.Catalog.Files(client).Select(f => f.FileName));
            Assert.Equal(20, _data.Client(client).FindSegment("Tier", "Gold")!.Size);
            Assert.Equal(20, Directory.GetFiles(Path.Combine(Inbox, "processed"), "f*.csv", SearchOption.AllDirectories).Count(f => f.Contains($"/{client}/", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task FileLeftInProcessing_BeforeItsCommit_IsIngestedExactlyOnce()
    {
        string left = WriteFile(".processing/acme/full/x.csv", $"{Row(1)},Tier=Gold,");

        Assert.Equal(1, _processor.Recover(Inbox, Source));
        await WaitIdleAsync();

        JournalEntry entry = Assert.Single(_data.Catalog.Files("acme"));
        Assert.Equal((FileOutcome.Applied, IngestionMode.Full), (entry.Outcome, entry.Mode));
        Assert.False(File.Exists(left));
        Assert.Single(Directory.GetFiles(Path.Combine(Inbox, "processed"), "x.csv", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task FileLeftInProcessing_AfterItsCommit_IsProcessedWithItsOwnSummary_NotAppliedTwice()
    {
        // A crash between the commit and the move to processed/: the file is still in .processing/.
        string left = WriteFile(".processing/acme/delta/x.csv", $"{Row(1)},Tier=Gold,", $"{Row(2)},Tier=Gold,");
        var lifecycle = new InboxFileLifecycle(Inbox);
        new IngestionService(_data).Ingest(new IngestionRequest(left) { Client = "acme", ReportFolder = lifecycle.StagingReports("acme") });

        _processor.Recover(Inbox, Source);
        await WaitIdleAsync();

        Assert.Single(_data.Catalog.Files("acme"), f => f.Outcome == FileOutcome.Applied);
        ReceivedFile received = Assert.Single(_data.Catalog.ReceivedFiles("acme"));
        Assert.Equal((ReceivedFileState.Processed, FileOutcome.Applied, 2L), (received.State, received.Outcome, received.RowsRead));
        Assert.Equal(FileOutcome.Applied, IngestionSummary.Read(received.ReportPath!).Outcome);
        Assert.StartsWith(Path.Combine(Inbox, "processed"), received.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedAndDuplicateFiles_GoToFailed_WithTheirReasonInTheSummary()
    {
        Enqueue(WriteFile("a.csv", $"{Row(1)},Tier=Gold,"));
        Enqueue(WriteFile("same-again.csv", $"{Row(1)},Tier=Gold,"));
        Enqueue(WriteFile("empty.csv"));
        await WaitIdleAsync();

        Dictionary<string, ReceivedFile> files = _data.Catalog.ReceivedFiles().ToDictionary(f => f.Name);
        Assert.Equal(ReceivedFileState.Processed, files["a.csv"].State);
        foreach ((string name, string reason) in new[] { ("same-again.csv", "already applied"), ("empty.csv", "no rows") })
        {
            ReceivedFile failed = files[name];
            Assert.Equal(ReceivedFileState.Failed, failed.State);
            Assert.StartsWith(Path.Combine(Inbox, "failed"), failed.Path, StringComparison.Ordinal);
            Assert.True(File.Exists(failed.Path));
            Assert.Contains(reason, IngestionSummary.Read(failed.ReportPath!).Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GzipBombAndTamperedPgp_GoToFailed_WithAClearReason_AndNothingIsApplied()
    {
        Skip.IfGpgMissing();
        using var gpg = new GpgHome();
        await _processor.DisposeAsync();
        _processor = CreateSut(new InboundDecoderOptions { MaxDecodedBytes = 1 << 20, PgpSecretKeyFile = gpg.SecretKeyFile });
        string bomb = _folder.File("inbox/bomb.csv.gz");
        using (var gzip = new GZipStream(File.Create(bomb), CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes("ID Type,ID,Add,Remove\n"));
            gzip.Write(new byte[32 << 20]);
        }

        string plain = WriteFile("plain.txt", $"{Row(1)},Tier=Gold,");
        string tampered = _folder.File("inbox/tampered.csv.pgp");
        gpg.Encrypt(plain, tampered);
        File.Delete(plain);
        byte[] bytes = File.ReadAllBytes(tampered);
        bytes[^30] ^= 0x20;
        File.WriteAllBytes(tampered, bytes);
        string good = _folder.File("inbox/good.csv.gz.pgp");
        string gz = _folder.File("good.csv.gz");
        using (var gzip = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes($"ID Type,ID,Add,Remove\n{Row(2)},Tier=Gold,\n"));
        }

        gpg.Encrypt(gz, good);
        Enqueue(bomb);
        Enqueue(tampered);
        Enqueue(good);
        await WaitIdleAsync();

        Dictionary<string, ReceivedFile> files = _data.Catalog.ReceivedFiles().ToDictionary(f => f.Name);
        Assert.Contains("decompression bomb", files["bomb.csv.gz"].Reason, StringComparison.Ordinal);
        Assert.Contains("integrity check failed", files["tampered.csv.pgp"].Reason, StringComparison.Ordinal);
        Assert.All([files["bomb.csv.gz"], files["tampered.csv.pgp"]], f =>
        {
            Assert.Equal(ReceivedFileState.Failed, f.State);
            Assert.Equal(f.Reason, IngestionSummary.Read(f.ReportPath!).Reason);
        });
        Assert.Equal(ReceivedFileState.Processed, files["good.csv.gz.pgp"].State);
        Assert.Equal(["good.csv.gz.pgp"], _data.Catalog.Files(DataFolder.DefaultClient).Select(f => f.FileName));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_processor.TempFolder));
    }

    [Fact]
    public async Task AClientLockedElsewhere_DoesNotHoldUpOtherClients_EvenWithOneClientAtATime()
    {
        await _processor.DisposeAsync();
        _processor = new InboxProcessor(_data, new IngestionService(_data), new InboundDecoder(new InboundDecoderOptions()), _locks, new InboxProcessorOptions { MaxParallelClients = 1 });
        IDisposable slowLock = _locks.Acquire("slow"); // a TUI call, a processing round or an export holds client "slow"
        try
        {
            Enqueue(WriteFile("slow/a.csv", $"{Row(1)},Tier=Gold,"));
            await Task.Delay(300); // slow's worker takes the one share first
            Enqueue(WriteFile("fast/b.csv", $"{Row(2)},Tier=Gold,"));
            await WaitUntilAsync(() => _data.Catalog.ReceivedFiles("fast").Any(r => r.State == ReceivedFileState.Processed));
            Assert.All(_data.Catalog.ReceivedFiles("slow"), r => Assert.Equal(ReceivedFileState.Waiting, r.State));
        }
        finally
        {
            slowLock.Dispose();
        }

        await WaitIdleAsync();
        Assert.Equal(["a.csv"], _data.Catalog.Files("slow").Select(f => f.FileName));
    }

    [Fact]
    public async Task ARetryStoppedBetweenItsCommitAndItsMove_IsFinishedByTheNextRetry_WithoutApplyingTwice()
    {
        ReceivedFile refused = await RefuseEmptyingAsync();
        var ingestion = new IngestionService(_data);
        var retry = new InboxRetry(_data, ingestion, new InboundDecoder(new InboundDecoderOptions()));
        Assert.Equal((FileOutcome.Refused, true), (refused.Outcome, File.Exists(refused.Path)));
        Assert.Contains("to apply it anyway: onboard files retry empty.csv --client acme --force", refused.Reason, StringComparison.Ordinal);

        // What a retry commits before the process dies, leaving the file in failed/ and its record failed.
        Assert.True(ingestion.Ingest(new IngestionRequest(refused.Path) { Client = "acme", Force = true, ReportFolder = _folder.File("reports") }).IsApplied);
        RetryOutcome again = retry.Retry(refused, force: true);

        Assert.Equal((FileOutcome.Duplicate, true), (again.Result.Outcome, again.Processed));
        ReceivedFile done = Assert.Single(_data.Catalog.ReceivedFiles("acme", ReceivedFileState.Processed), f => f.Name == "empty.csv");
        Assert.Equal(done.Path, again.Path);
        Assert.Contains(Path.Combine(Inbox, "processed"), done.Path, StringComparison.Ordinal);
        Assert.False(File.Exists(refused.Path));
        Assert.Equal(1, _data.Catalog.Files("acme").Count(e => e.FileName == "empty.csv" && e.Outcome == FileOutcome.Applied));
        Assert.Equal(0, _data.Client("acme").FindSegment("Tier", "Gold")!.Size);
        Assert.Throws<InboxRetryException>(() => retry.Retry(done, force: true));
    }

    [Fact]
    public async Task ARetryRefusedAgain_RewritesTheSummaryInFailed_WithTheNewReason()
    {
        Enqueue(WriteFile("acme/gold.csv", [.. Enumerable.Range(0, 1_000).Select(i => $"{Row(i)},Tier=Gold,")]));
        await WaitIdleAsync();
        Enqueue(WriteFile("acme/full/shrink.csv", [.. Enumerable.Range(0, 100).Select(i => $"{Row(i)},Tier=Gold,"), "HEMSHA2,not-a-hash,Tier=Gold,"]));
        await WaitIdleAsync();
        var retry = new InboxRetry(_data, new IngestionService(_data), new InboundDecoder(new InboundDecoderOptions()));
        ReceivedFile refused = retry.Find("acme", "shrink.csv");
        Assert.Contains("from 1,000 to 100 members", IngestionSummary.Read(refused.ReportPath!).Reason, StringComparison.Ordinal);

        // The segment grows meanwhile: the guard refuses the file again, for a new reason.
        Enqueue(WriteFile("acme/more-gold.csv", [.. Enumerable.Range(1_000, 1_000).Select(i => $"{Row(i)},Tier=Gold,")]));
        await WaitIdleAsync();
        RetryOutcome again = retry.Retry(refused, force: false);

        Assert.False(again.Processed);
        ReceivedFile record = _data.Catalog.FindReceivedFile(refused.Id)!;
        Assert.Equal((ReceivedFileState.Failed, refused.Path, refused.Path + ".summary.json"), (record.State, record.Path, record.ReportPath));
        IngestionResult summary = IngestionSummary.Read(record.ReportPath!);
        Assert.Contains("from 2,000 to 100 members", summary.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("1,000", summary.Reason, StringComparison.Ordinal);
        Assert.Contains("to apply it anyway: onboard files retry shrink.csv --client acme --force", summary.Reason, StringComparison.Ordinal);
        Assert.Equal(summary.Reason, record.Reason);
        Assert.Equal(summary.Reason, again.Result.Reason);
        Assert.Equal((101L, 1L, 0L), (record.RowsRead, record.RowsRejected, record.RowsApplied));
        Assert.Equal(refused.RejectReportPath, record.RejectReportPath);
        Assert.Contains("not-a-hash", File.ReadAllText(record.RejectReportPath!), StringComparison.Ordinal);
        Assert.Equal(
            [Path.GetFileName(refused.Path), Path.GetFileName(record.RejectReportPath!), Path.GetFileName(record.ReportPath!)],
            Directory.GetFiles(Path.GetDirectoryName(refused.Path)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(2_000, _data.Client("acme").FindSegment("Tier", "Gold")!.Size);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARetryKilledBetweenItsMoveAndItsRecord_IsCompleted_ByTheNextRetryOrTheNextStart_WithoutApplyingTwice(bool byStart)
    {
        ReceivedFile refused = await RefuseEmptyingAsync();

        await RetryKilledAfterItsMoveAsync(refused.Path);

        string moved = Assert.Single(Directory.GetFiles(Path.Combine(Inbox, "processed"), "empty.csv", SearchOption.AllDirectories));
        Assert.Equal((ReceivedFileState.Failed, refused.Path), (_data.Catalog.FindReceivedFile(refused.Id)!.State, _data.Catalog.FindReceivedFile(refused.Id)!.Path));
        Assert.False(File.Exists(refused.Path));
        Assert.True(File.Exists(refused.ReportPath)); // the refusal's summary, which the retry deletes after the move
        var retry = new InboxRetry(_data, new IngestionService(_data), new InboundDecoder(new InboundDecoderOptions()));
        if (byStart)
        {
            Assert.Equal(0, _processor.Recover(Inbox, Source));
        }
        else
        {
            RetryOutcome outcome = retry.Retry(retry.Find("acme", "empty.csv"), force: true);
            Assert.Equal((true, true, moved, FileOutcome.Applied), (outcome.Repaired, outcome.Processed, outcome.Path, outcome.Result.Outcome));
        }

        ReceivedFile repaired = _data.Catalog.FindReceivedFile(refused.Id)!;
        Assert.Equal((ReceivedFileState.Processed, moved, FileOutcome.Applied, 1_000L), (repaired.State, repaired.Path, repaired.Outcome, repaired.RowsRead));
        Assert.Equal(moved + ".summary.json", repaired.ReportPath);
        Assert.Equal(FileOutcome.Applied, IngestionSummary.Read(repaired.ReportPath!).Outcome);
        Assert.Contains("interrupted", repaired.Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(refused.Path)!));
        Assert.Throws<InboxRetryException>(() => retry.Find("acme", "empty.csv"));

        // Applied exactly once, and the same content dropped again is a duplicate.
        string again = Path.Combine(Inbox, "acme", "empty.csv");
        File.Copy(moved, again);
        Enqueue(again);
        await WaitIdleAsync();
        Assert.Equal(1, _data.Catalog.Files("acme").Count(e => e.FileName == "empty.csv" && e.Outcome == FileOutcome.Applied));
        Assert.Equal(0, _data.Client("acme").FindSegment("Tier", "Gold")!.Size);
        ReceivedFile redropped = Assert.Single(_data.Catalog.ReceivedFiles("acme", ReceivedFileState.Failed));
        Assert.Equal(FileOutcome.Duplicate, redropped.Outcome);
    }

    [Fact]
    public async Task ARetryOfAFileGoneFromFailed_ThatNoRetryApplied_SaysSo_AndChangesNothing()
    {
        ReceivedFile refused = await RefuseEmptyingAsync();
        var retry = new InboxRetry(_data, new IngestionService(_data), new InboundDecoder(new InboundDecoderOptions()));

        // Gone from failed/; a file of that name in processed/ whose content the journal never applied is not it.
        string elsewhere = Path.Combine(new InboxFileLifecycle(Inbox).DoneFolder(processed: true, "acme", DateTimeOffset.UtcNow), "empty.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(elsewhere)!);
        File.Move(refused.Path, elsewhere);
        InboxRetryException error = Assert.Throws<InboxRetryException>(() => retry.Retry(refused, force: true));
        _processor.Recover(Inbox, Source);

        Assert.Equal(
            $"empty.csv (acme) is no longer at {refused.Path}, and no retry of it was interrupted after moving it to processed/: drop it into the inbox again.",
            error.Message);
        Assert.Equivalent(refused, _data.Catalog.FindReceivedFile(refused.Id));
        Assert.True(File.Exists(refused.ReportPath));
        Assert.Equal(1_000, _data.Client("acme").FindSegment("Tier", "Gold")!.Size);
        Assert.DoesNotContain(_data.Catalog.Files("acme"), e => e.FileName == "empty.csv" && e.Outcome == FileOutcome.Applied);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ARetryKilledAfterItsMove_CompletesItsOwnRecord_NotAnotherFailedFileOfTheSameName(bool olderAbandoned)
    {
        // Two refusals of empty.csv: failed/…/empty.csv, then failed/…/empty-2.csv, which sorts before it.
        ReceivedFile older = await RefuseEmptyingAsync();
        Enqueue(WriteFile("acme/empty.csv", [.. Enumerable.Range(0, 1_000).Select(i => $"{Row(i)},,Tier=Gold"), $"{Row(5_000)},Seen=Yes,"]));
        await WaitIdleAsync();
        ReceivedFile newer = Assert.Single(_data.Catalog.ReceivedFiles("acme", ReceivedFileState.Failed), r => r.Id != older.Id);
        Assert.Equal("empty-2.csv", Path.GetFileName(newer.Path));
        if (olderAbandoned)
        {
            File.Delete(older.Path); // an operator's clean-up: that file will never be retried
        }
        else
        {
            await RetryKilledAfterItsMoveAsync(older.Path);
        }

        await RetryKilledAfterItsMoveAsync(newer.Path);
        Assert.Equal(0, _processor.Recover(Inbox, Source));

        ReceivedFile repaired = _data.Catalog.FindReceivedFile(newer.Id)!;
        Assert.Equal((ReceivedFileState.Processed, "empty-2.csv"), (repaired.State, Path.GetFileName(repaired.Path)));
        Assert.Equal(IngestionSummary.Read(repaired.ReportPath!).ContentHash, _data.Catalog.Files("acme").Single(e => e.FileName == "empty-2.csv").ContentHash);
        Assert.Null(repaired.Moving);
        var retry = new InboxRetry(_data, new IngestionService(_data), new InboundDecoder(new InboundDecoderOptions()));
        if (olderAbandoned)
        {
            Assert.Equivalent(older, _data.Catalog.FindReceivedFile(older.Id));
            InboxRetryException error = Assert.Throws<InboxRetryException>(() => retry.Retry(older, force: true));
            Assert.Equal(
                $"empty.csv (acme) is no longer at {older.Path}, and no retry of it was interrupted after moving it to processed/: drop it into the inbox again.",
                error.Message);
        }
        else
        {
            ReceivedFile first = _data.Catalog.FindReceivedFile(older.Id)!;
            Assert.Equal((ReceivedFileState.Processed, "empty.csv"), (first.State, Path.GetFileName(first.Path)));
            Assert.Equal(IngestionSummary.Read(first.ReportPath!).ContentHash, _data.Catalog.Files("acme").Single(e => e.FileName == "empty.csv" && e.Outcome == FileOutcome.Applied).ContentHash);
        }

        Assert.Equal(olderAbandoned ? 1 : 2, Directory.GetFiles(Path.Combine(Inbox, "processed"), "empty*.csv", SearchOption.AllDirectories).Length);
        Assert.Equal(olderAbandoned ? 1 : 2, _data.Catalog.Files("acme").Count(e => e.FileName.StartsWith("empty", StringComparison.Ordinal) && e.Outcome == FileOutcome.Applied));
    }

    [Fact]
    public async Task AStartWhoseRepairFails_LogsIt_AndRecoversAndRunsTheRestOfTheInbox()
    {
        ReceivedFile refused = await RefuseEmptyingAsync();
        await RetryKilledAfterItsMoveAsync(refused.Path);
        await _processor.DisposeAsync();

        // The repair cannot delete the refusal's summary (an I/O error the repair does not expect: here a folder took
        // its place); another client's file waits in .processing/.
        File.Delete(refused.ReportPath!);
        Directory.CreateDirectory(Path.Combine(refused.ReportPath!, "in-the-way"));
        string left = WriteFile(".processing/other/delta/x.csv", $"{Row(1)},Tier=Gold,");
        var log = new FakeLogger<InboxProcessor>();
        _processor = CreateSut(logger: log);

        Assert.Equal(1, _processor.Recover(Inbox, Source));
        await WaitIdleAsync();

        Assert.Equal(ReceivedFileState.Processed, Assert.Single(_data.Catalog.ReceivedFiles("other")).State);
        Assert.False(File.Exists(left));
        Assert.Equal(1, _data.Client("other").FindSegment("Tier", "Gold")!.Size);
        Assert.Equal((ReceivedFileState.Failed, refused.Path), (_data.Catalog.FindReceivedFile(refused.Id)!.State, _data.Catalog.FindReceivedFile(refused.Id)!.Path));
        FakeLogRecord error = Assert.Single(log.Collector.GetSnapshot(), r => r.Level == LogLevel.Error);
        Assert.Contains("acme: empty.csv is no longer in failed/ and its record could not be completed", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Exception);
        Assert.IsNotType<InboxRetryException>(error.Exception);
    }

    [Fact]
    public async Task AStartRepairsNoRecordWhileItsClientIsLocked_AndAStartWithTheLockFreeDoes()
    {
        ReceivedFile refused = await RefuseEmptyingAsync();
        await RetryKilledAfterItsMoveAsync(refused.Path);

        using (_locks.Acquire("acme")) // a retry forwarded to the watcher, between its move and its record
        {
            _processor.Recover(Inbox, Source);
        }

        Assert.Equal(ReceivedFileState.Failed, _data.Catalog.FindReceivedFile(refused.Id)!.State);
        _processor.Recover(Inbox, Source);
        Assert.Equal(ReceivedFileState.Processed, _data.Catalog.FindReceivedFile(refused.Id)!.State);
    }

    [Fact]
    public async Task TwoFailedRecordsNamingTheSameMovedFile_AreNeitherCompleted_AndTheRetrySaysWhy()
    {
        ReceivedFile refused = await RefuseEmptyingAsync();
        await RetryKilledAfterItsMoveAsync(refused.Path);
        ReceivedFile interrupted = _data.Catalog.FindReceivedFile(refused.Id)!;
        ReceivedFile twin = interrupted with { Id = "twin", Path = refused.Path + ".gone" };
        _data.Catalog.SaveReceivedFile(twin);
        var retry = new InboxRetry(_data, new IngestionService(_data), new InboundDecoder(new InboundDecoderOptions()));

        InboxRetryException error = Assert.Throws<InboxRetryException>(() => retry.Retry(interrupted, force: true));
        _processor.Recover(Inbox, Source);

        Assert.Contains($"the retries of 2 failed files ({refused.Path}, {twin.Path}) were moving the same content to {interrupted.Moving!.Path}", error.Message, StringComparison.Ordinal);
        Assert.Equivalent(interrupted, _data.Catalog.FindReceivedFile(refused.Id));
        Assert.Equivalent(twin, _data.Catalog.FindReceivedFile(twin.Id));
    }

    /// <summary>
    /// The real <c>files retry --force</c> of a failed file, in a process killed by SIGKILL right after it logged the
    /// move (before it saves the record); the data folder and processor are then opened again.
    /// </summary>
    private async Task RetryKilledAfterItsMoveAsync(string failedPath)
    {
        await _processor.DisposeAsync();
        _data.Dispose();
        (int exit, string output, string error) = await CrashHostProcess.RunAsync("retry", _folder.File("data"), "acme", failedPath, "moved to");
        Assert.True(output.Contains($"killed at: acme: {Path.GetFileName(failedPath)} applied on retry, moved to", StringComparison.Ordinal) && exit != 0, $"exit {exit}: {output}{error}");
        _data = DataFolder.Open(_folder.File("data"));
        _processor = CreateSut();
    }

    /// <summary>acme holds 1,000 Tier=Gold members and empty.csv, a delta removing them all, is refused by the emptying guard.</summary>
    private async Task<ReceivedFile> RefuseEmptyingAsync()
    {
        Enqueue(WriteFile("acme/seed.csv", [.. Enumerable.Range(0, 1_000).Select(i => $"{Row(i)},Tier=Gold,")]));
        await WaitIdleAsync();
        Enqueue(WriteFile("acme/empty.csv", [.. Enumerable.Range(0, 1_000).Select(i => $"{Row(i)},,Tier=Gold")]));
        await WaitIdleAsync();
        return Assert.Single(_data.Catalog.ReceivedFiles("acme", ReceivedFileState.Failed));
    }

    private InboxProcessor CreateSut(InboundDecoderOptions? decoding = null, ILogger<InboxProcessor>? logger = null) =>
        new(_data, new IngestionService(_data), new InboundDecoder(decoding ?? new InboundDecoderOptions()), _locks, new InboxProcessorOptions { MaxParallelClients = 2 }, logger: logger);

    private static string Row(int person) =>
        "HEMSHA2," + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"person{person}")));

    private string WriteFile(string relative, params string[] rows)
    {
        string path = Path.Combine(Inbox, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "ID Type,ID,Add,Remove\n" + string.Concat(rows.Select(r => r + "\n")));
        return path;
    }

    private void Enqueue(string path) =>
        Assert.True(_processor.Enqueue(InboxConvention.Classify(Inbox, path)!, Inbox, Source));

    private Task WaitIdleAsync() => WaitUntilAsync(() => _processor.Outstanding == 0);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "timed out waiting for the inbox");
            await Task.Delay(20);
        }
    }

    public async Task DisposeAsync()
    {
        await _processor.DisposeAsync();
        _data.Dispose();
        _folder.Dispose();
    }
}
