using Onboarding.Engine.Exports;
using Onboarding.Engine.Security;

namespace Onboarding.Engine.Tests.Exports;

/// <summary>Exports delivered to the real sshd on loopback.</summary>
[Collection(SshdCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SftpExportTests(SshdPeer peer) : IDisposable
{
    private readonly ExportHarness _h = new();

    [Fact]
    public async Task Run_PasswordAuth_UploadsUnderATemporaryName_ThenPosixRenamesIntoPlace()
    {
        string remote = peer.NewRemoteFolder("pw");
        File.WriteAllText(Path.Combine(remote, "Gold_20260302_0900.csv"), "an older delivery");
        AddDestination("partner", remote, password: SshdPeer.Password);
        _h.Export(change: e => e with { Destination = "partner" });
        // The remote folder is local to the test: watch what the server does in it.
        var events = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var watcher = new FileSystemWatcher(remote) { IncludeSubdirectories = false };
        watcher.Created += (_, e) => events.Enqueue($"created {e.Name}");
        watcher.Renamed += (_, e) => events.Enqueue($"renamed {e.OldName} -> {e.Name}");
        watcher.EnableRaisingEvents = true;

        ExportRun run = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);

        Assert.True(run.State == ExportRunState.Complete, run.Error + "\n" + peer.Log);
        Assert.Equal($"sftp://{SshdPeer.User}@{SshdPeer.Host}:{peer.Port}{remote}", run.Destination);
        Assert.Equal(["Gold_20260302_0900.csv"], Directory.GetFiles(remote).Select(Path.GetFileName));
        string[] lines = File.ReadAllLines(Path.Combine(remote, "Gold_20260302_0900.csv"));
        Assert.Equal(ExportHarness.GoldPeople + 1, lines.Length);
        Assert.Equal(run.Bytes, new FileInfo(Path.Combine(remote, "Gold_20260302_0900.csv")).Length);

        // The content went to the hidden .part name, which was then renamed over the final name: never a half file under it.
        string temporary = $".Gold_20260302_0900.csv.{run.Id}.part";
        string[] expected = [$"created {temporary}", $"renamed {temporary} -> Gold_20260302_0900.csv"];
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (events.Count < expected.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(expected, events);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_KeyAuth_Delivers(bool passphraseProtected)
    {
        string remote = peer.NewRemoteFolder("key");
        AddDestination("partner", remote, keyPath: passphraseProtected ? peer.EncryptedKeyPath : peer.Ed25519KeyPath, passphrase: passphraseProtected ? SshdPeer.KeyPassphrase : null);
        _h.Export(change: e => e with { Destination = "partner" });

        ExportRun run = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);

        Assert.True(run.State == ExportRunState.Complete, run.Error);
        Assert.Equal(ExportHarness.GoldPeople + 1, File.ReadAllLines(Path.Combine(remote, run.FileName!)).Length);
    }

    [Fact]
    public async Task Run_HostKeyNotThePinnedOne_IsRefused_AndNothingIsSent()
    {
        string remote = peer.NewRemoteFolder("pin");
        AddDestination("partner", remote, password: SshdPeer.Password, fingerprint: SshdPeer.OtherFingerprint);
        _h.Export(change: e => e with { Destination = "partner" });

        ExportRun run = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);

        Assert.Equal(ExportRunState.Failed, run.State);
        Assert.StartsWith($"Host key of {SshdPeer.Host}:{peer.Port} does not match the pinned fingerprint: expected SHA256:{SshdPeer.OtherFingerprint}, presented SHA256:{peer.HostKeyFingerprint}", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(remote));
    }

    [Fact]
    public async Task Run_RemoteFolderRefusesWrites_EndsFailedWithTheServersMessage()
    {
        string remote = peer.NewRemoteFolder("readonly");
        File.SetUnixFileMode(remote, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        AddDestination("partner", remote, password: SshdPeer.Password);
        _h.Export(change: e => e with { Destination = "partner" });

        ExportRun run = await _h.Runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);

        Assert.Equal(ExportRunState.Failed, run.State);
        Assert.Equal(
            $"sftp://{SshdPeer.User}@{SshdPeer.Host}:{peer.Port}{remote}: cannot create {remote}/.Gold_20260302_0900.csv.{run.Id}.part: permission denied by the server (Permission denied)",
            run.Error);
        Assert.Empty(Directory.GetFileSystemEntries(remote));
    }

    [Fact]
    public async Task Test_ConnectsWritesAndDeletesATemporaryFile()
    {
        string remote = peer.NewRemoteFolder("test");
        AddDestination("partner", remote, password: SshdPeer.Password);

        DestinationTestResult result = await _h.Exports.TestDestinationAsync("partner", CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Empty(Directory.GetFileSystemEntries(remote));
        Assert.Contains(result.Steps, s => s.StartsWith("wrote and deleted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Test_WrongPassword_ReportsTheRefusal()
    {
        string remote = peer.NewRemoteFolder("test-bad");
        AddDestination("partner", remote, password: "not-the-password");

        DestinationTestResult result = await _h.Exports.TestDestinationAsync("partner", CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("authentication as onboard-sftp-test (password) was refused", result.Error, StringComparison.Ordinal);
    }

    private void AddDestination(string name, string remote, string? password = null, string? keyPath = null, string? passphrase = null, string? fingerprint = null) =>
        _h.Exports.AddSftpDestination(name, new SftpDestinationRequest(SshdPeer.Host, peer.Port, SshdPeer.User, remote, fingerprint ?? peer.HostKeyFingerprint)
        {
            Password = password is null ? null : new Secret(password),
            PrivateKey = keyPath is null ? null : new Secret(File.ReadAllText(keyPath)),
            Passphrase = passphrase is null ? null : new Secret(passphrase),
        }, "ana");

    public void Dispose() => _h.Dispose();
}
