using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Onboarding.Engine.Security;
using Onboarding.Engine.Sftp;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Tests.Inbox;

/// <summary>The hosted service as <c>onboard watch</c> registers it: a file uploaded to the server lands in inbox/&lt;client&gt;/.</summary>
[Collection(SshdCollection.Name)]
public sealed class SftpInboxServiceTests(SshdPeer peer) : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task HostedService_PollsConfiguredInbox_AndDeliversIntoTheClientsLocalInboxFolder()
    {
        string data = _folder.File("data");
        string inboxRoot = _folder.File("inbox");
        string remote = peer.NewRemoteFolder("hosted");
        byte[] content = RandomNumberGenerator.GetBytes(100_000);
        File.WriteAllBytes(Path.Combine(remote, "HEMSHA2_acme_20260105.csv"), content);
        SecretProtector protector = SecretProtector.Open(data, _ => null);
        new SftpInboxStore(data).Add(new SftpInbox
        {
            Name = "hosted",
            Client = "acme",
            Endpoint = new SftpEndpoint
            {
                Host = SshdPeer.Host,
                Port = peer.Port,
                User = SshdPeer.User,
                Password = protector.Protect(new Secret(SshdPeer.Password), "sftp-inbox/acme/hosted/password"),
                RemoteFolder = remote,
                HostKeyFingerprint = peer.HostKeyFingerprint,
            },
        });
        using ServiceProvider services = new ServiceCollection().AddLogging().AddSftpInboxes(data, inboxRoot).BuildServiceProvider();
        IHostedService service = services.GetServices<IHostedService>().OfType<SftpInboxService>().Single();
        string delivered = Path.Combine(inboxRoot, "acme", "HEMSHA2_acme_20260105.csv");

        await service.StartAsync(default);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!File.Exists(Path.Combine(remote, "processed", "HEMSHA2_acme_20260105.csv")) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
        finally
        {
            await service.StopAsync(default);
        }

        Assert.Equal(content, File.ReadAllBytes(delivered));
        Assert.Single(Directory.GetFiles(Path.Combine(inboxRoot, "acme")));
        Assert.Equal(1, new SftpInboxStore(data).ReadStatus(new SftpInboxStore(data).Find("hosted")!).FilesDelivered);
    }

    public void Dispose() => _folder.Dispose();
}
