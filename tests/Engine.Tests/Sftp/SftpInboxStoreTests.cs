using Onboarding.Engine.Security;
using Onboarding.Engine.Sftp;

namespace Onboarding.Engine.Tests.Sftp;

public sealed class SftpInboxStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void Add_List_Remove_RoundTrip_AndTheFileHoldsNoPlaintextSecret()
    {
        SecretProtector protector = SecretProtector.Open(_folder.Path, _ => null);
        var store = new SftpInboxStore(_folder.Path);
        SftpInbox inbox = Inbox(protector, "acme", "main", "Very-Secret-Pw");

        store.Add(inbox);
        store.Add(Inbox(protector, "globex", "second", "Other-Pw-99") with { AfterDownload = AfterDownload.Delete });

        IReadOnlyList<SftpInbox> all = store.List();
        Assert.Equal(["main", "second"], all.Select(i => i.Name));
        Assert.Equal(inbox.Endpoint.Password!.Value, store.Find("main")!.Endpoint.Password!.Value);
        Assert.Equal(AfterDownload.Delete, store.Find("second")!.AfterDownload);
        Assert.Equal("Very-Secret-Pw", protector.Unprotect(store.Find("main")!.Endpoint.Password!, "sftp-inbox/acme/main/password").Reveal());
        string json = File.ReadAllText(Path.Combine(_folder.Path, "clients", "acme", SftpInboxStore.FileName));
        Assert.DoesNotContain("Very-Secret-Pw", json, StringComparison.Ordinal);
        Assert.Contains("\"afterDownload\": \"move-to-processed\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("Very-Secret-Pw", store.Find("main")!.ToString(), StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => store.Add(Inbox(protector, "globex", "main", "x"))); // names are unique across clients
        Assert.True(store.Remove("main"));
        Assert.False(store.Remove("main"));
        Assert.Equal(["second"], store.List().Select(i => i.Name));
    }

    [Fact]
    public void KeyRotation_ReencryptsInboxSecrets_InPlace()
    {
        SecretProtector before = SecretProtector.Open(_folder.Path, _ => null);
        var store = new SftpInboxStore(_folder.Path);
        store.Add(Inbox(before, "acme", "main", "Pw-Before-Rotation"));

        KeyRotationReport report = SecretKeyRotation.Rotate(_folder.Path, [store], _ => null);

        SecretProtector after = SecretProtector.Open(_folder.Path, _ => null);
        ProtectedSecret stored = store.Find("main")!.Endpoint.Password!;
        Assert.Equal(1, report.SecretsReencrypted);
        Assert.Equal(after.CurrentKeyId, stored.KeyId);
        Assert.NotEqual(before.CurrentKeyId, stored.KeyId);
        Assert.Equal("Pw-Before-Rotation", after.Unprotect(stored, "sftp-inbox/acme/main/password").Reveal());
    }

    [Fact]
    public void Add_InvalidConfiguration_IsRefusedWithAClearMessage()
    {
        SecretProtector protector = SecretProtector.Open(_folder.Path, _ => null);
        var store = new SftpInboxStore(_folder.Path);

        Assert.Throws<ArgumentException>(() => store.Add(Inbox(protector, "acme", "../x", "p")));
        Assert.Throws<ArgumentException>(() => store.Add(Inbox(protector, "acme", "ok", "p") with { Endpoint = Inbox(protector, "acme", "ok", "p").Endpoint with { HostKeyFingerprint = "*" } }));
        Assert.Throws<ArgumentException>(() => store.Add(Inbox(protector, "../acme", "ok", "p")));
    }

    private static SftpInbox Inbox(SecretProtector protector, string client, string name, string password) => new()
    {
        Name = name,
        Client = client,
        Created = DateTimeOffset.UnixEpoch,
        Endpoint = new SftpEndpoint
        {
            Host = "sftp.example.com",
            User = "u",
            Password = protector.Protect(new Secret(password), $"sftp-inbox/{client}/{name}/password"),
            RemoteFolder = "/upload",
            HostKeyFingerprint = SshdPeer.OtherFingerprint,
        },
    };

    public void Dispose() => _folder.Dispose();
}
