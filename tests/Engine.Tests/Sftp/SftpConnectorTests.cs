using Onboarding.Engine.Sftp;
using Renci.SshNet;

namespace Onboarding.Engine.Tests.Sftp;

[Collection(SshdCollection.Name)]
public sealed class SftpConnectorTests(SshdPeer peer) : IDisposable
{
    private readonly SftpTestBed _bed = new();

    [Fact]
    public async Task Connect_WithPassword_ListsTheFolder()
    {
        string remote = peer.NewRemoteFolder("pw");
        File.WriteAllText(Path.Combine(remote, "hello.csv"), "x");
        SftpInbox inbox = _bed.PasswordInbox(peer, remote);

        using SftpClient client = await _bed.Connector.ConnectAsync(inbox.Endpoint, inbox.SecretScope, default);

        Assert.Contains(client.ListDirectory(remote), f => f.Name == "hello.csv");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Connect_WithEd25519Key_PlainOrPassphraseProtected_Authenticates(bool protectedKey)
    {
        string remote = peer.NewRemoteFolder("key");
        SftpInbox inbox = protectedKey
            ? _bed.KeyInbox(peer, remote, peer.EncryptedKeyPath, SshdPeer.KeyPassphrase)
            : _bed.KeyInbox(peer, remote, peer.Ed25519KeyPath, null);

        using SftpClient client = await _bed.Connector.ConnectAsync(inbox.Endpoint, inbox.SecretScope, default);

        Assert.True(client.IsConnected);
        Assert.Equal(protectedKey ? "key+passphrase" : "key", inbox.Endpoint.Authentication);
    }

    [Fact]
    public async Task Connect_WrongPassphrase_FailsAsAuthentication()
    {
        SftpInbox inbox = _bed.KeyInbox(peer, peer.HomeFolder, peer.EncryptedKeyPath, "not-the-passphrase");

        var error = await Assert.ThrowsAsync<SftpException>(() => _bed.Connector.ConnectAsync(inbox.Endpoint, inbox.SecretScope, default));

        Assert.Equal(SftpFailureKind.Authentication, error.Kind);
    }

    [Fact]
    public async Task Connect_WrongPassword_FailsAsAuthentication_WithoutShowingThePassword()
    {
        SftpInbox inbox = _bed.PasswordInbox(peer, peer.HomeFolder, password: "Wrong-Password-123");

        var error = await Assert.ThrowsAsync<SftpException>(() => _bed.Connector.ConnectAsync(inbox.Endpoint, inbox.SecretScope, default));

        Assert.Equal(SftpFailureKind.Authentication, error.Kind);
        Assert.False(error.IsTransient);
        Assert.DoesNotContain("Wrong-Password", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_HostKeyNotThePinnedOne_IsRefused_NamingBothFingerprints()
    {
        SftpInbox inbox = _bed.PasswordInbox(peer, peer.HomeFolder, fingerprint: SshdPeer.OtherFingerprint);

        var error = await Assert.ThrowsAsync<HostKeyMismatchException>(() => _bed.Connector.ConnectAsync(inbox.Endpoint, inbox.SecretScope, default));

        Assert.Equal(SftpFailureKind.HostKeyMismatch, error.Kind);
        Assert.Contains($"expected SHA256:{SshdPeer.OtherFingerprint}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"presented SHA256:{peer.HostKeyFingerprint}", error.Message, StringComparison.Ordinal);
        Assert.Contains("ssh-ed25519", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_NothingListening_FailsAsTransientConnectionError()
    {
        SftpInbox inbox = _bed.PasswordInbox(peer, peer.HomeFolder, port: 1);

        var error = await Assert.ThrowsAsync<SftpException>(() => _bed.Connector.ConnectAsync(inbox.Endpoint, inbox.SecretScope, default));

        Assert.Equal(SftpFailureKind.Connection, error.Kind);
        Assert.True(error.IsTransient);
    }

    [Theory]
    [InlineData("SHA256:uJ2S0cBzXZdMMZpp7KRZ4hN0+fQ1gk0n7ZmjTd1Yb1c", "uJ2S0cBzXZdMMZpp7KRZ4hN0+fQ1gk0n7ZmjTd1Yb1c")]
    [InlineData("uJ2S0cBzXZdMMZpp7KRZ4hN0+fQ1gk0n7ZmjTd1Yb1c=", "uJ2S0cBzXZdMMZpp7KRZ4hN0+fQ1gk0n7ZmjTd1Yb1c")]
    public void NormalizeFingerprint_AcceptsTheUsualSpellings(string text, string expected) =>
        Assert.Equal(expected, SftpEndpoint.NormalizeFingerprint(text));

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("MD5:12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0")]
    [InlineData("SHA256:short")]
    public void NormalizeFingerprint_RefusesAnythingElse_ThereIsNoTrustAnyMode(string text) =>
        Assert.Throws<ArgumentException>(() => SftpEndpoint.NormalizeFingerprint(text));

    public void Dispose() => _bed.Dispose();
}
