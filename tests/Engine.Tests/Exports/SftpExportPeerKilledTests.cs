using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Notifications;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;
using Xunit.Abstractions;
using static Onboarding.Engine.Tests.Ingestion.IngestionHarness;

namespace Onboarding.Engine.Tests.Exports;

/// <summary>
/// A scheduled export to the real sshd while the whole server — listener and session processes — is killed by PID
/// mid-upload, then started again on the same port with the same host key. The peer is this class's own: killing it
/// must not disturb the other SFTP tests.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SftpExportPeerKilledTests : IClassFixture<SshdPeer>, IDisposable
{
    private const int ExtraGold = 200_000; // with four columns, about 20 MB of CSV
    private readonly SshdPeer _peer;
    private readonly ExportHarness _h = new();
    private readonly ExportHistoryScheduleStore _store;

    private readonly ITestOutputHelper _output;

    public SftpExportPeerKilledTests(SshdPeer peer, ITestOutputHelper output)
    {
        _peer = peer;
        _output = output;
        if (peer.Pid == 0)
        {
            peer.Restart(); // a failed test of this class left it killed
        }

        IngestionResult added = _h.Ingestion.Ingest(_h.Ingestion.WriteFile([.. Enumerable.Range(1_000, ExtraGold).Select(n => Row(n, "Loyalty=Gold"))]));
        Assert.Equal(FileOutcome.Applied, added.Outcome);
        _h.Audiences.Process(); // an active audience exports its last processing run
        _store = new ExportHistoryScheduleStore(_h.Ingestion.Data, _ => _h.NewRunner(), new SmtpExportNotifier(new SmtpOptions()));
    }

    [Fact]
    public async Task PeerKilledMidUpload_TheAttemptFails_RetriesFollowThePolicy_AndTheFileIsDeliveredOnceWhole()
    {
        string remote = _peer.NewRemoteFolder("kill-upload");
        _h.Exports.AddSftpDestination("partner", new SftpDestinationRequest(SshdPeer.Host, _peer.Port, SshdPeer.User, remote, _peer.HostKeyFingerprint)
        {
            Password = new Secret(SshdPeer.Password),
        }, "ana");
        _h.Export("once", e => e with
        {
            Destination = "partner",
            Format = e.Format with { Columns = ["id_type", "id", "audience", "export_date"] },
            Schedule = new ExportSchedule { Recurrence = ExportRecurrence.Once, Start = _h.Time.GetUtcNow().UtcDateTime, CancelWindow = TimeSpan.FromHours(1) },
        });
        var scheduler = new ExportScheduler(_store, _store.AttemptAsync, _h.Time);

        // Attempt 1: the peer is killed once the server has written 1 MiB of the temporary file.
        using var uploading = new CancellationTokenSource();
        Task<(string Name, long Bytes)?> killer = Task.Factory.StartNew(() => KillWhenATemporaryFileGrows(remote, 1 << 20, uploading.Token), TaskCreationOptions.LongRunning);
        Assert.Equal(1, Assert.Single(await scheduler.RunDueAsync(CancellationToken.None)).Attempt);
        await uploading.CancelAsync();
        (string partial, long bytesAtKill) = await killer ?? throw new Xunit.Sdk.XunitException(
            "the peer was never killed: " + string.Join("; ", _h.Exports.Store.ListRuns("once").Select(r => $"{r.State} {r.Bytes} bytes {r.Error}")));

        ExportRun first = Assert.Single(_h.Exports.Store.ListRuns("once"));
        _output.WriteLine($"killed at {bytesAtKill} bytes of {partial}; attempt 1: {first.Error}");
        Assert.Equal(ExportRunState.Failed, first.State);
        Assert.Equal($".{first.FileName}.{first.Id}.part", partial);
        Assert.StartsWith($"sftp://{SshdPeer.User}@{SshdPeer.Host}:{_peer.Port}{remote}: connection lost while uploading {remote}/{partial}: ", first.Error, StringComparison.Ordinal);
        Assert.Equal([partial], RemoteFiles(remote)); // a partial upload under the hidden name only, never under the final name
        Assert.InRange(new FileInfo(Path.Combine(remote, partial)).Length, bytesAtKill, (long)(ExtraGold * 90 * 0.9));

        // Attempt 2, a minute later: the peer is still down.
        Assert.Empty(await scheduler.RunDueAsync(CancellationToken.None));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, Assert.Single(await scheduler.RunDueAsync(CancellationToken.None)).Attempt);
        ExportRun second = _h.Exports.Store.ListRuns("once")[0];
        Assert.Equal((ExportRunState.Failed, 2), (second.State, second.Attempt));
        Assert.Contains("cannot connect", second.Error, StringComparison.Ordinal);
        _output.WriteLine($"attempt 2: {second.Error}");

        // Attempt 3, two minutes after that (the policy doubles the wait): the peer is back.
        _peer.Restart();
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await scheduler.RunDueAsync(CancellationToken.None));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(3, Assert.Single(await scheduler.RunDueAsync(CancellationToken.None)).Attempt);

        IReadOnlyList<ExportRun> runs = _h.Exports.Store.ListRuns("once");
        Assert.Equal([(ExportRunState.Complete, 3), (ExportRunState.Failed, 2), (ExportRunState.Failed, 1)], runs.Select(r => (r.State, r.Attempt)));
        ExportRun delivered = runs[0];
        _output.WriteLine($"attempt 3: {delivered.State}, {delivered.Rows} rows, {delivered.Bytes} bytes");
        string fileName = delivered.FileName!;
        Assert.Equal([fileName], RemoteFiles(remote)); // the partial of attempt 1 was removed before attempt 3 uploaded
        string[] lines = File.ReadAllLines(Path.Combine(remote, fileName));
        Assert.Equal("id_type,id,audience,export_date", lines[0]);
        var expected = new HashSet<string>([.. ExportHarness.IdsOf(Enumerable.Range(1, ExportHarness.GoldPeople).Concat(Enumerable.Range(1_000, ExtraGold)))], StringComparer.Ordinal);
        Assert.Equal(expected.Count, lines.Length - 1);
        Assert.True(expected.SetEquals(lines.Skip(1).Select(l => l.Split(',')[1])), "the delivered file does not hold exactly the audience");
        Assert.All(lines.Skip(1), l => Assert.EndsWith(",Gold,2026-03-02", l, StringComparison.Ordinal));
        Assert.Equal(delivered.Bytes, new FileInfo(Path.Combine(remote, fileName)).Length);

        // Delivered once: a one-time export does not run again.
        _h.Time.Advance(TimeSpan.FromDays(1));
        Assert.Empty(await scheduler.RunDueAsync(CancellationToken.None));
        Assert.Equal([fileName], RemoteFiles(remote));
    }

    public void Dispose()
    {
        _h.Dispose();
        if (_peer.Pid == 0)
        {
            _peer.Restart();
        }
    }

    /// <summary>The remote folder is local to the test: kills the peer once a hidden <c>.part</c> file there passes <paramref name="bytes"/>.</summary>
    private (string Name, long Bytes)? KillWhenATemporaryFileGrows(string remote, long bytes, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (FileInfo file in new DirectoryInfo(remote).GetFiles(".*.part"))
            {
                long length = file.Length;
                if (length > bytes)
                {
                    _peer.Kill();
                    return (file.Name, length);
                }
            }

            Thread.Sleep(1);
        }

        return null;
    }

    private static string[] RemoteFiles(string remote) =>
        [.. Directory.GetFiles(remote).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
}
