using Onboarding.Engine.Sftp;

namespace Onboarding.Engine.Tests.Sftp;

/// <summary>Listings a hostile or broken server could send, through a fake session: nothing escapes the inbox folder.</summary>
public sealed class HostileListingTests : IDisposable
{
    private readonly SftpTestBed _bed = new();

    [Theory]
    [InlineData("../escape.csv")]
    [InlineData("../../etc/cron.d/x")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/dir.csv")]
    [InlineData("..\\win.csv")]
    [InlineData("nul\0byte.csv")]
    [InlineData("..")]
    [InlineData("bell\u0007.csv")]
    public void Problem_UnsafeNames_AreRefused(string name) => Assert.NotNull(RemoteFileName.Problem(name));

    [Fact]
    public void Problem_OverLongName_IsRefused()
    {
        Assert.NotNull(RemoteFileName.Problem(new string('a', RemoteFileName.MaxBytes + 1)));
        Assert.NotNull(RemoteFileName.Problem(new string('é', (RemoteFileName.MaxBytes / 2) + 1))); // counted in UTF-8 bytes
        Assert.Null(RemoteFileName.Problem(new string('a', RemoteFileName.MaxBytes)));
    }

    [Theory]
    [InlineData("HEMSHA2_acme_20260105.csv")]
    [InlineData("file with spaces.csv.gz.pgp")]
    [InlineData("données-été.csv")]
    [InlineData("a..b.csv")]
    public void Problem_OrdinaryNames_AreAccepted(string name) => Assert.Null(RemoteFileName.Problem(name));

    [Fact]
    public async Task Poll_HostileListing_RefusesEachUnsafeName_DeliversTheRest_WritesNothingOutside()
    {
        string[] hostile = ["../escape.csv", "../../outside.csv", "/tmp/abs.csv", "a/b.csv", "nul\0.csv", new string('x', 300)];
        var session = new FakeSession([.. hostile.Select(n => Entry(n)), Entry("good.csv")]);
        SftpInbox inbox = _bed.PasswordInbox(FakePeer, "/in");

        SftpPollResult result = await _bed.Poller(new FakeFactory(session)).PollAsync(inbox, _bed.LocalInbox);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(hostile.Length, result.Refused.Count);
        Assert.Equal(["good.csv"], _bed.Delivered());
        Assert.Equal(["/in/good.csv"], session.Downloaded);
        Assert.DoesNotContain(session.Downloaded, p => p.Contains("..", StringComparison.Ordinal));
        Assert.False(File.Exists(_bed.PathOf("escape.csv")));
        SftpInboxStatus status = _bed.Store.ReadStatus(inbox);
        Assert.Contains("../escape.csv", status.LastError, StringComparison.Ordinal);
        Assert.Contains("\\x00", status.LastError, StringComparison.Ordinal); // the NUL is shown escaped
        Assert.Equal(0, status.ConsecutiveFailures);
    }

    [Fact]
    public async Task Poll_FileGrowingDuringDownload_IsNotDelivered_UntilItIsStable()
    {
        var session = new FakeSession([Entry("growing.csv", size: 5)]) { ContentFor = _ => "12345678"u8.ToArray() };
        SftpInbox inbox = _bed.PasswordInbox(FakePeer, "/in");

        SftpPollResult result = await _bed.Poller(new FakeFactory(session)).PollAsync(inbox, _bed.LocalInbox);

        Assert.Empty(_bed.Delivered());
        Assert.Empty(_bed.TempFiles());
        Assert.Contains(result.Skipped, s => s.RemoteName == "growing.csv" && s.Reason.Contains("still being written", StringComparison.Ordinal));
        Assert.Empty(session.Renamed);
    }

    private static SshdPeer? FakePeer => null;

    private static RemoteEntry Entry(string name, long size = 1) => new(name, size, new DateTime(2026, 1, 5, 7, 0, 0, DateTimeKind.Utc), true, false, false);

    public void Dispose() => _bed.Dispose();

    private sealed class FakeFactory(FakeSession session) : ISftpSessionFactory
    {
        public Task<ISftpSession> OpenAsync(SftpEndpoint endpoint, string secretScope, CancellationToken cancellation) => Task.FromResult<ISftpSession>(session);
    }

    private sealed class FakeSession(IReadOnlyList<RemoteEntry> listing) : ISftpSession
    {
        public List<string> Downloaded { get; } = [];

        public List<string> Renamed { get; } = [];

        public Func<string, byte[]> ContentFor { get; init; } = _ => "x"u8.ToArray();

        public Task<IReadOnlyList<RemoteEntry>> ListAsync(string folder, CancellationToken cancellation) => Task.FromResult(listing);

        public Task<RemoteEntry?> StatAsync(string path, CancellationToken cancellation) =>
            Task.FromResult(listing.FirstOrDefault(e => "/in/" + e.Name == path));

        public Task DownloadAsync(string path, Stream destination, CancellationToken cancellation)
        {
            Downloaded.Add(path);
            destination.Write(ContentFor(path));
            return Task.CompletedTask;
        }

        public Task RenameAsync(string from, string to, CancellationToken cancellation)
        {
            Renamed.Add(from);
            return Task.CompletedTask;
        }

        public Task DeleteAsync(string path, CancellationToken cancellation) => Task.CompletedTask;

        public Task CreateFolderAsync(string path, CancellationToken cancellation) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
