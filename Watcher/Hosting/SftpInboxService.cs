using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Onboarding.Engine.Security;
using Onboarding.Engine.Sftp;

namespace Onboarding.Watcher.Hosting;

/// <summary>
/// Polls every configured SFTP inbox on its interval inside <c>onboard watch</c> (thin over the Engine's
/// <see cref="SftpInboxScheduler"/>). Downloaded files are completed into <c>&lt;local inbox&gt;/&lt;client&gt;/</c> by a
/// temp name and a rename; the local inbox watcher ingests them from there.
/// </summary>
public sealed class SftpInboxService(SftpInboxScheduler scheduler) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => scheduler.RunAsync(stoppingToken);
}

public static class SftpInboxHosting
{
    /// <summary>Registers the SFTP inbox poller for <paramref name="dataFolder"/>, delivering into <paramref name="localInboxRoot"/>/&lt;client&gt;/.</summary>
    public static IServiceCollection AddSftpInboxes(this IServiceCollection services, string dataFolder, string localInboxRoot)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new SftpInboxStore(dataFolder));
        services.AddSingleton(_ => new SftpConnector(SecretProtector.Open(dataFolder)));
        services.AddSingleton(sp => new SftpInboxPoller(
            sp.GetRequiredService<SftpInboxStore>(),
            sp.GetRequiredService<SftpConnector>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<SftpInboxPoller>()));
        services.AddSingleton(sp => new SftpInboxScheduler(
            sp.GetRequiredService<SftpInboxStore>(),
            sp.GetRequiredService<SftpInboxPoller>(),
            inbox => Path.Combine(Path.GetFullPath(localInboxRoot), inbox.Client),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<SftpInboxScheduler>()));
        services.AddHostedService<SftpInboxService>();
        return services;
    }
}
