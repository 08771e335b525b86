using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Security;
using Onboarding.Engine.Sftp;

namespace Onboarding.Engine.Tests.Sftp;

/// <summary>A data folder with a secret protector and an inbox store, and inboxes pointing at the test sshd.</summary>
internal sealed class SftpTestBed : IDisposable
{
    private readonly TempFolder _folder = new();

    public SftpTestBed()
    {
        Protector = SecretProtector.FromKeys(RandomNumberGenerator.GetBytes(32));
        Store = new SftpInboxStore(DataFolder);
        Connector = new SftpConnector(Protector, TimeSpan.FromSeconds(10));
    }

    public string DataFolder => _folder.File("data");

    public string LocalInbox => _folder.File("inbox");

    public string PathOf(string name) => _folder.File(name);

    public SecretProtector Protector { get; }

    public SftpInboxStore Store { get; }

    public SftpConnector Connector { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));

    public SftpInboxPoller Poller(ISftpSessionFactory? sessions = null) => new(Store, sessions ?? Connector, Time);

    public SftpInbox PasswordInbox(SshdPeer? peer, string remoteFolder, string name = "main", AfterDownload after = AfterDownload.MoveToProcessed, string? fingerprint = null, string password = SshdPeer.Password, int? port = null)
    {
        string scope = $"sftp-inbox/acme/{name}";
        return new SftpInbox
        {
            Name = name,
            Client = "acme",
            AfterDownload = after,
            PollInterval = TimeSpan.FromSeconds(60),
            Endpoint = new SftpEndpoint
            {
                Host = SshdPeer.Host,
                Port = port ?? peer?.Port ?? 22,
                User = SshdPeer.User,
                Password = Protector.Protect(new Secret(password), scope + "/password"),
                RemoteFolder = remoteFolder,
                HostKeyFingerprint = fingerprint ?? peer?.HostKeyFingerprint ?? SshdPeer.OtherFingerprint,
            },
        };
    }

    public SftpInbox KeyInbox(SshdPeer peer, string remoteFolder, string keyPath, string? passphrase, string name = "keyed")
    {
        string scope = $"sftp-inbox/acme/{name}";
        return new SftpInbox
        {
            Name = name,
            Client = "acme",
            Endpoint = new SftpEndpoint
            {
                Host = SshdPeer.Host,
                Port = peer.Port,
                User = SshdPeer.User,
                PrivateKey = Protector.Protect(new Secret(File.ReadAllText(keyPath)), scope + "/private-key"),
                Passphrase = passphrase is null ? null : Protector.Protect(new Secret(passphrase), scope + "/passphrase"),
                RemoteFolder = remoteFolder,
                HostKeyFingerprint = peer.HostKeyFingerprint,
            },
        };
    }

    /// <summary>Files in the local inbox the watcher would see (not temp names).</summary>
    public string[] Delivered() =>
        Directory.Exists(LocalInbox)
            ? [.. Directory.GetFiles(LocalInbox).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal)]
            : [];

    public string[] TempFiles() =>
        Directory.Exists(LocalInbox) ? [.. Directory.GetFiles(LocalInbox).Select(Path.GetFileName).OfType<string>().Where(n => n.StartsWith('.'))] : [];

    public void Dispose() => _folder.Dispose();
}
