using System.Security.Cryptography;
using Onboarding.Engine.Sftp;

namespace Onboarding.Engine.Tests.Sftp;

/// <summary>The poller against the real sshd: delivery, remote cleanup, pinning, and polls interrupted at every step.</summary>
[Collection(SshdCollection.Name)]
public sealed class SftpInboxPollerTests(SshdPeer peer) : IDisposable
{
    private readonly SftpTestBed _bed = new();

    [Fact]
    public async Task Poll_DeliversUploadedFile_IntoLocalInbox_AndMovesItToRemoteProcessed()
    {
        string remote = peer.NewRemoteFolder("move");
        File.WriteAllText(Path.Combine(remote, "HEMSHA2_acme_20260105.csv"), "ID Type,ID,Add,Remove\n");
        File.WriteAllText(Path.Combine(remote, "uploading.csv.part"), "half");
        File.WriteAllText(Path.Combine(remote, ".hidden.csv"), "h");
        SftpInbox inbox = _bed.PasswordInbox(peer, remote);

        SftpPollResult result = await _bed.Poller().PollAsync(inbox, _bed.LocalInbox);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(["HEMSHA2_acme_20260105.csv"], _bed.Delivered());
        Assert.Equal("ID Type,ID,Add,Remove\n", File.ReadAllText(Path.Combine(_bed.LocalInbox, "HEMSHA2_acme_20260105.csv")));
        Assert.Empty(_bed.TempFiles());
        Assert.False(File.Exists(Path.Combine(remote, "HEMSHA2_acme_20260105.csv")));
        Assert.True(File.Exists(Path.Combine(remote, "processed", "HEMSHA2_acme_20260105.csv")));
        Assert.True(File.Exists(Path.Combine(remote, "uploading.csv.part"))); // in-progress names are left alone
        Assert.True(File.Exists(Path.Combine(remote, ".hidden.csv")));
        SftpInboxStatus status = _bed.Store.ReadStatus(inbox);
        Assert.Equal(1, status.FilesDelivered);
        Assert.Equal(_bed.Time.GetUtcNow(), status.LastSuccess);
        Assert.Null(status.LastError);
        Assert.Equal(_bed.Time.GetUtcNow() + inbox.PollInterval, status.NextPoll);

        SftpPollResult again = await _bed.Poller().PollAsync(inbox, _bed.LocalInbox);
        Assert.Empty(again.Delivered);
        Assert.Equal(["HEMSHA2_acme_20260105.csv"], _bed.Delivered());
    }

    [Fact]
    public async Task Poll_DeleteVariant_RemovesTheRemoteFile()
    {
        string remote = peer.NewRemoteFolder("delete");
        File.WriteAllText(Path.Combine(remote, "a.csv"), "a");
        SftpInbox inbox = _bed.PasswordInbox(peer, remote, after: AfterDownload.Delete);

        SftpPollResult result = await _bed.Poller().PollAsync(inbox, _bed.LocalInbox);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(["a.csv"], _bed.Delivered());
        Assert.Empty(Directory.GetFileSystemEntries(remote));
    }

    [Fact]
    public async Task Poll_LocalNameTaken_DeliversUnderASuffixedName_NeverOverwrites()
    {
        string remote = peer.NewRemoteFolder("collide");
        File.WriteAllText(Path.Combine(remote, "f.csv.gz"), "new");
        Directory.CreateDirectory(_bed.LocalInbox);
        File.WriteAllText(Path.Combine(_bed.LocalInbox, "f.csv.gz"), "old");
        SftpInbox inbox = _bed.PasswordInbox(peer, remote);

        await _bed.Poller().PollAsync(inbox, _bed.LocalInbox);

        Assert.Equal(["f-2.csv.gz", "f.csv.gz"], _bed.Delivered());
        Assert.Equal("old", File.ReadAllText(Path.Combine(_bed.LocalInbox, "f.csv.gz")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(_bed.LocalInbox, "f-2.csv.gz")));
    }

    [Fact]
    public async Task Poll_SameNameUploadedAgainAfterProcessing_KeepsBothRemoteCopies()
    {
        string remote = peer.NewRemoteFolder("again");
        SftpInbox inbox = _bed.PasswordInbox(peer, remote);
        File.WriteAllText(Path.Combine(remote, "daily.csv"), "monday");
        await _bed.Poller().PollAsync(inbox, _bed.LocalInbox);
        File.WriteAllText(Path.Combine(remote, "daily.csv"), "tuesday!");

        await _bed.Poller().PollAsync(inbox, _bed.LocalInbox);

        Assert.Equal(["daily-2.csv", "daily.csv"], _bed.Delivered());
        Assert.Equal(2, Directory.GetFiles(Path.Combine(remote, "processed")).Length);
    }

    [Fact]
    public async Task Poll_HostKeyMismatch_RefusesAndDownloadsNothing_AndStatusNamesTheFingerprints()
    {
        string remote = peer.NewRemoteFolder("pin");
        File.WriteAllText(Path.Combine(remote, "a.csv"), "a");
        SftpInbox inbox = _bed.PasswordInbox(peer, remote, fingerprint: SshdPeer.OtherFingerprint);

        SftpPollResult result = await _bed.Poller().PollAsync(inbox, _bed.LocalInbox);

        Assert.IsType<HostKeyMismatchException>(result.Failure);
        Assert.Empty(_bed.Delivered());
        Assert.Empty(_bed.TempFiles());
        Assert.True(File.Exists(Path.Combine(remote, "a.csv")));
        Assert.False(Directory.Exists(Path.Combine(remote, "processed")));
        SftpInboxStatus status = _bed.Store.ReadStatus(inbox);
        Assert.Contains($"presented SHA256:{peer.HostKeyFingerprint}", status.LastError, StringComparison.Ordinal);
        Assert.Equal(1, status.ConsecutiveFailures);
    }

    [Fact]
    public async Task Poll_CancelledMidDownload_NextPollDeliversTheFileExactlyOnce()
    {
        string remote = peer.NewRemoteFolder("cancel");
        byte[] content = WriteLargeFile(remote, "big.csv");
        SftpInbox inbox = _bed.PasswordInbox(peer, remote);
        using var cancel = new CancellationTokenSource();
        SftpInboxPoller first = _bed.Poller();
        first.DownloadProgress = (_, bytes) =>
        {
            if (bytes > 1 << 20)
            {
                cancel.Cancel();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.PollAsync(inbox, _bed.LocalInbox, cancel.Token));
        Assert.Empty(_bed.Delivered());
        Assert.Empty(_bed.TempFiles()); // the partial download is discarded at once, not left for the next poll
        Assert.True(File.Exists(Path.Combine(remote, "big.csv")));

        SftpPollResult second = await _bed.Poller().PollAsync(inbox, _bed.LocalInbox);

        Assert.True(second.Succeeded, second.Failure?.ToString());
        AssertDeliveredOnce(inbox, remote, "big.csv", content);
    }

    [Fact]
    public async Task Poll_ConnectionKilledMidDownload_FailsWithBackoff_ThenNextPollDeliversExactlyOnce()
    {
        string remote = peer.NewRemoteFolder("kill");
        byte[] content = WriteLargeFile(remote, "big.csv");
        SftpInbox inbox = _bed.PasswordInbox(peer, remote);
        SftpInboxPoller first = _bed.Poller();
        int killed = 0;
        first.DownloadProgress = (_, bytes) =>
        {
            if (bytes > 1 << 20 && killed == 0)
            {
                killed = peer.KillSessions(); // SIGKILL the sshd processes serving this connection, by PID
                Thread.Sleep(300);
            }
        };

        SftpPollResult interrupted = await first.PollAsync(inbox, _bed.LocalInbox);

        Assert.True(killed > 0);
        Assert.False(interrupted.Succeeded);
        Assert.Empty(_bed.Delivered());
        Assert.Empty(_bed.TempFiles());
        SftpInboxStatus failed = _bed.Store.ReadStatus(inbox);
        Assert.Equal(1, failed.ConsecutiveFailures);
        Assert.NotNull(failed.LastError);

        SftpPollResult second = await _bed.Poller().PollAsync(inbox, _bed.LocalInbox);

        Assert.True(second.Succeeded, second.Failure?.ToString());
        AssertDeliveredOnce(inbox, remote, "big.csv", content);
        Assert.Equal(0, _bed.Store.ReadStatus(inbox).ConsecutiveFailures);
    }

    [Theory]
    [InlineData("AfterLocalRename")]
    [InlineData("BeforeRemoteCleanup")]
    public async Task Poll_CrashAfterLocalDelivery_NextPollOnlyFinishesRemoteCleanup(string stage)
    {
        string remote = peer.NewRemoteFolder("crash");
        File.WriteAllText(Path.Combine(remote, "once.csv"), "exactly once");
        SftpInbox inbox = _bed.PasswordInbox(peer, remote);
        SftpInboxPoller crashing = _bed.Poller();
        crashing.Fault = (at, _) =>
        {
            if (at.ToString() == stage)
            {
                throw new IOException($"simulated crash at {stage}");
            }
        };

        SftpPollResult crashed = await crashing.PollAsync(inbox, _bed.LocalInbox);
        Assert.False(crashed.Succeeded);
        Assert.Equal(["once.csv"], _bed.Delivered());
        Assert.True(File.Exists(Path.Combine(remote, "once.csv"))); // the remote was not touched yet

        // The local watcher may already have taken the file away; the poller must not depend on it being there.
        File.Move(Path.Combine(_bed.LocalInbox, "once.csv"), _bed.PathOf("ingested-once.csv"));

        SftpPollResult resumed = await _bed.Poller().PollAsync(inbox, _bed.LocalInbox);

        Assert.True(resumed.Succeeded, resumed.Failure?.ToString());
        Assert.True(resumed.Delivered.Count == 0, File.ReadAllText(Path.Combine(_bed.Store.StateFolder(inbox), "ledger.jsonl")));
        Assert.Equal(["once.csv"], resumed.CleanupFinished);
        Assert.Empty(_bed.Delivered());
        Assert.Empty(_bed.TempFiles());
        Assert.True(File.Exists(Path.Combine(remote, "processed", "once.csv")));
    }

    [Fact]
    public async Task Poll_FileWithUnsafeName_OnDisk_IsNeverWrittenOutsideTheInbox()
    {
        // A real server cannot list "../x", but a name with a backslash or a control character it can.
        string remote = peer.NewRemoteFolder("names");
        File.WriteAllText(Path.Combine(remote, "..\\evil.csv"), "e");
        File.WriteAllText(Path.Combine(remote, "tab\there.csv"), "t");
        File.WriteAllText(Path.Combine(remote, "good.csv"), "g");
        SftpInbox inbox = _bed.PasswordInbox(peer, remote);

        SftpPollResult result = await _bed.Poller().PollAsync(inbox, _bed.LocalInbox);

        Assert.Equal(["good.csv"], _bed.Delivered());
        Assert.Equal(2, result.Refused.Count);
        Assert.Contains("refused 2 remote file(s)", _bed.Store.ReadStatus(inbox).LastError, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(remote, "..\\evil.csv")));
    }

    private void AssertDeliveredOnce(SftpInbox inbox, string remote, string name, byte[] content)
    {
        Assert.Equal([name], _bed.Delivered());
        Assert.Empty(_bed.TempFiles());
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(File.ReadAllBytes(Path.Combine(_bed.LocalInbox, name))));
        Assert.False(File.Exists(Path.Combine(remote, name)));
        Assert.True(File.Exists(Path.Combine(remote, "processed", name)));
        Assert.Equal(1, _bed.Store.ReadStatus(inbox).FilesDelivered);
    }

    private static byte[] WriteLargeFile(string folder, string name)
    {
        byte[] content = new byte[24 << 20];
        new Random(7).NextBytes(content);
        File.WriteAllBytes(Path.Combine(folder, name), content);
        return content;
    }

    public void Dispose() => _bed.Dispose();
}
