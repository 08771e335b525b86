using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Sftp;
using Onboarding.Engine.Storage;
using Xunit.Abstractions;

namespace Onboarding.Engine.Tests.Sftp;

/// <summary>
/// The SFTP inbox end to end (poll, then the local inbox ingests what landed) while the whole sshd — listener and
/// session processes — is killed by PID mid-transfer and started again on the same port with the same host key.
/// The peer is this class's own: killing it must not disturb the other SFTP tests.
/// </summary>
public sealed class SftpPeerKilledTests : IClassFixture<SshdPeer>, IAsyncLifetime
{
    private const string Name = "HEMSHA2_acme_20260105.csv";
    private readonly SshdPeer _peer;
    private readonly SftpTestBed _bed = new();
    private readonly FakeLogger _log = new();
    private DataFolder _data = null!;
    private InboxProcessor _ingest = null!;

    private readonly ITestOutputHelper _output;

    public SftpPeerKilledTests(SshdPeer peer, ITestOutputHelper output)
    {
        _peer = peer;
        _output = output;
        if (peer.Pid == 0)
        {
            peer.Restart(); // a failed test of this class left it killed
        }
    }

    private string InboxRoot => _bed.PathOf("inbox-root");

    private string AcmeInbox => Path.Combine(InboxRoot, "acme");

    public Task InitializeAsync()
    {
        _data = DataFolder.Open(_bed.DataFolder);
        _ingest = new InboxProcessor(_data, new IngestionService(_data), new InboundDecoder(new InboundDecoderOptions()), new ClientWriteLocks());
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PeerKilledMidDownload_PollFailsClearly_NothingPartialIsKeptOrIngested_ThenTheFileIsIngestedOnce()
    {
        string remote = _peer.NewRemoteFolder("kill-download");
        (byte[] content, int rows) = WriteOnboardingFile(remote, 250_000); // about 21 MB
        SftpInbox inbox = _bed.PasswordInbox(_peer, remote);
        long seenAtKill = 0;
        long seen = 0;
        SftpInboxPoller first = Poller();
        first.DownloadProgress = (_, bytes) =>
        {
            seen = bytes;
            if (bytes > 4 << 20 && seenAtKill == 0)
            {
                seenAtKill = bytes;
                _peer.Kill();
            }
        };

        SftpPollResult cut = await first.PollAsync(inbox, AcmeInbox);

        Assert.True(seenAtKill > 0, "the peer was never killed");
        Assert.True(seen < content.Length, $"the download finished ({seen} bytes) before the kill took effect");
        _output.WriteLine($"killed at {seenAtKill} of {content.Length} bytes, {seen} written locally; poll: {cut.Failure?.Message}");
        SftpException failure = Assert.IsType<SftpException>(cut.Failure);
        Assert.Equal(SftpFailureKind.Connection, failure.Kind);
        string expected = $"{SshdPeer.User}@{SshdPeer.Host}:{_peer.Port}{remote}: connection lost during download {remote}/{Name}";
        Assert.StartsWith(expected, failure.Message, StringComparison.Ordinal);
        Assert.StartsWith(expected, _bed.Store.ReadStatus(inbox).LastError, StringComparison.Ordinal);
        Assert.Contains(_log.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("poll failed (1 in a row)", StringComparison.Ordinal) && r.Message.Contains(expected, StringComparison.Ordinal));
        Assert.Empty(LocalFiles()); // neither the partial download nor anything under the final name
        await IngestLocalFilesAsync();
        Assert.Empty(_data.Catalog.ReceivedFiles("acme"));

        // While the peer is down, polls fail fast and back off.
        SftpPollResult down = await Poller().PollAsync(inbox, AcmeInbox);
        Assert.Contains("cannot connect", down.Failure?.Message, StringComparison.Ordinal);
        Assert.Equal(2, _bed.Store.ReadStatus(inbox).ConsecutiveFailures);

        _peer.Restart();
        SftpPollResult resumed = await Poller().PollAsync(inbox, AcmeInbox);

        Assert.True(resumed.Succeeded, resumed.Failure?.ToString());
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(File.ReadAllBytes(Assert.Single(resumed.Delivered).LocalPath)));
        await IngestLocalFilesAsync();
        AssertIngestedOnce(rows);
        AssertRemoteProcessedOnce(remote);
        Assert.Empty((await Poller().PollAsync(inbox, AcmeInbox)).Delivered);
    }

    /// <summary>
    /// The peer dies once the whole file has arrived: either before the poller stat'ed and renamed it into place
    /// (it is downloaded again) or after the ledger recorded its delivery but before the remote file was moved to
    /// <c>processed/</c> (the next poll only moves it). Either way the file is ingested once.
    /// </summary>
    [Theory]
    [InlineData("DownloadComplete")]
    [InlineData("BeforeRemoteCleanup")]
    public async Task PeerKilledAfterTheDownload_BeforeTheRemoteFileIsMoved_TheFileIsIngestedOnce(string killAt)
    {
        string remote = _peer.NewRemoteFolder("kill-after");
        (byte[] content, int rows) = WriteOnboardingFile(remote, 20_000);
        SftpInbox inbox = _bed.PasswordInbox(_peer, remote);
        bool killed = false;
        SftpInboxPoller first = Poller();
        first.DownloadProgress = (_, bytes) =>
        {
            if (killAt == "DownloadComplete" && bytes == content.Length && !killed)
            {
                killed = true;
                _peer.Kill();
            }
        };
        first.Fault = (stage, _) =>
        {
            if (stage.ToString() == killAt && !killed)
            {
                killed = true;
                _peer.Kill();
            }
        };

        SftpPollResult cut = await first.PollAsync(inbox, AcmeInbox);

        Assert.True(killed, "the peer was never killed");
        Assert.Equal(SftpFailureKind.Connection, Assert.IsType<SftpException>(cut.Failure).Kind);
        Assert.True(File.Exists(Path.Combine(remote, Name)));
        Assert.Equal(killAt == "BeforeRemoteCleanup" ? [Name] : [], LocalFiles());
        await IngestLocalFilesAsync(); // the watcher takes whatever landed

        _peer.Restart();
        SftpPollResult resumed = await Poller().PollAsync(inbox, AcmeInbox);

        Assert.True(resumed.Succeeded, resumed.Failure?.ToString());
        Assert.Equal(killAt == "BeforeRemoteCleanup" ? [Name] : [], resumed.CleanupFinished);
        Assert.Equal(killAt == "BeforeRemoteCleanup" ? [] : [Name], resumed.Delivered.Select(d => d.RemoteName));
        await IngestLocalFilesAsync();
        AssertIngestedOnce(rows);
        AssertRemoteProcessedOnce(remote);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(File.ReadAllBytes(Assert.Single(Directory.GetFiles(Path.Combine(InboxRoot, "processed"), Name, SearchOption.AllDirectories)))));
    }

    /// <summary>Second line of defence: with the delivery ledger lost, the file comes down again, and ingestion refuses the same content.</summary>
    [Fact]
    public async Task PeerKilledBeforeRemoteCleanup_AndTheLedgerLost_TheSecondCopyIsRefusedAsADuplicate()
    {
        string remote = _peer.NewRemoteFolder("kill-ledger");
        (_, int rows) = WriteOnboardingFile(remote, 2_000);
        SftpInbox inbox = _bed.PasswordInbox(_peer, remote);
        SftpInboxPoller first = Poller();
        first.Fault = (stage, _) =>
        {
            if (stage == SftpInboxPoller.Stage.BeforeRemoteCleanup)
            {
                _peer.Kill();
            }
        };
        Assert.False((await first.PollAsync(inbox, AcmeInbox)).Succeeded);
        await IngestLocalFilesAsync();
        File.Delete(Path.Combine(_bed.Store.StateFolder(inbox), "ledger.jsonl"));

        _peer.Restart();
        SftpPollResult again = await Poller().PollAsync(inbox, AcmeInbox);
        await IngestLocalFilesAsync();

        Assert.Single(again.Delivered);
        JournalEntry applied = Assert.Single(_data.Catalog.Files("acme"), f => f.Outcome == FileOutcome.Applied);
        Assert.Equal(rows, applied.RowsApplied);
        Assert.Equal([ReceivedFileState.Processed, ReceivedFileState.Failed], _data.Catalog.ReceivedFiles("acme").Select(r => r.State).Order());
        Assert.Equal(rows, _data.Client("acme").FindSegment("Tier", "Gold")!.Size);
    }

    public async Task DisposeAsync()
    {
        await _ingest.DisposeAsync();
        _data.Dispose();
        _bed.Dispose();
        if (_peer.Pid == 0)
        {
            _peer.Restart();
        }
    }

    private SftpInboxPoller Poller() => new(_bed.Store, _bed.Connector, _bed.Time, _log);

    private string[] LocalFiles() => Directory.Exists(AcmeInbox) ? [.. Directory.GetFiles(AcmeInbox).Select(Path.GetFileName).OfType<string>()] : [];

    /// <summary>What the local watcher does with the files the poller delivered: queue them and wait until they are ingested.</summary>
    private async Task IngestLocalFilesAsync()
    {
        foreach (string path in Directory.Exists(AcmeInbox) ? Directory.GetFiles(AcmeInbox) : [])
        {
            if (InboxConvention.Classify(InboxRoot, path) is { } file)
            {
                Assert.True(_ingest.Enqueue(file, InboxRoot, "sftp:main"));
            }
        }

        var clock = Stopwatch.StartNew();
        while (_ingest.Outstanding > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "timed out waiting for the inbox");
            await Task.Delay(20);
        }
    }

    private void AssertIngestedOnce(int rows)
    {
        ReceivedFile received = Assert.Single(_data.Catalog.ReceivedFiles("acme"));
        Assert.Equal((Name, ReceivedFileState.Processed, (long)rows), (received.Name, received.State, received.RowsApplied));
        JournalEntry entry = Assert.Single(_data.Catalog.Files("acme"));
        Assert.Equal((FileOutcome.Applied, (long)rows), (entry.Outcome, entry.RowsApplied));
        Assert.Equal(rows, _data.Client("acme").FindSegment("Tier", "Gold")!.Size);
        Assert.Empty(LocalFiles());
    }

    private static void AssertRemoteProcessedOnce(string remote)
    {
        Assert.False(File.Exists(Path.Combine(remote, Name)));
        Assert.Equal([Name], Directory.GetFiles(Path.Combine(remote, "processed")).Select(Path.GetFileName));
    }

    private static (byte[] Content, int Rows) WriteOnboardingFile(string folder, int rows)
    {
        var text = new StringBuilder("ID Type,ID,Add,Remove\n", rows * 90);
        for (int n = 0; n < rows; n++)
        {
            text.Append("HEMSHA2,").Append(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"person{n}")))).Append(",Tier=Gold,\n");
        }

        byte[] content = Encoding.UTF8.GetBytes(text.ToString());
        File.WriteAllBytes(Path.Combine(folder, Name), content);
        return (content, rows);
    }
}
