using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Control;

namespace Onboarding.Watcher.Hosting;

/// <summary>Registers the watcher's services, for <c>onboard watch</c> and for the TUI process alike.</summary>
public static class WatcherServiceCollectionExtensions
{
    /// <summary>
    /// Everything a long-running holder of a data folder runs, for <c>onboard watch</c> and the TUI alike: the local
    /// and SFTP inboxes (unless <see cref="WatcherOptions.WatchInboxes"/> is off), the schedules (audiences, exports), and the control
    /// socket that runs other processes' <c>onboard</c> commands. A new hosted service is one line here.
    /// </summary>
    public static IServiceCollection AddOnboardingHost(this IServiceCollection services, WatcherOptions options)
    {
        services.TryAddSingleton(sp => DataFolder.Open(options.DataPath, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<ClientWriteLocks>();
        services.TryAddSingleton(options);
        services.TryAddSingleton(_ =>
        {
            var status = new WatcherStatus();
            if (!options.WatchInboxes)
            {
                status.NotWatching();
            }

            return status;
        });
        if (options.WatchInboxes)
        {
            services.AddOnboardingWatcher(options);
            services.AddSftpInboxes(options.DataPath, options.Inbox.Path);
        }

        services.AddAudienceProcessing(options.AudienceProcessing);
        services.AddExportScheduling(options.Smtp, options.Clients);
        services.AddHostedService<ControlEndpoint>();
        return services;
    }

    /// <summary>
    /// Adds the local inbox watcher: the engine services it uses (each only if not registered yet, so a host that
    /// already opened the <see cref="DataFolder"/> or has an <see cref="IngestionService"/> shares them) and the
    /// hosted <see cref="LocalInboxService"/>. A host that ingests by other means too must take the client's lock from
    /// the registered <see cref="ClientWriteLocks"/>.
    /// </summary>
    public static IServiceCollection AddOnboardingWatcher(this IServiceCollection services, WatcherOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => DataFolder.Open(options.DataPath, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(sp => new IngestionService(
            sp.GetRequiredService<DataFolder>(),
            options.Clients,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<IngestionService>>()));
        services.TryAddSingleton<ClientWriteLocks>();
        services.TryAddSingleton<WatcherStatus>();
        services.TryAddSingleton(_ => new InboundDecoder(options.Decoding));
        services.TryAddSingleton(sp => new InboxProcessor(
            sp.GetRequiredService<DataFolder>(),
            sp.GetRequiredService<IngestionService>(),
            sp.GetRequiredService<InboundDecoder>(),
            sp.GetRequiredService<ClientWriteLocks>(),
            options.Processing,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<InboxProcessor>>()));
        services.TryAddSingleton(sp => new LocalInbox(
            options.Inbox,
            sp.GetRequiredService<InboxProcessor>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<LocalInbox>>()));
        services.AddHostedService<LocalInboxService>();
        return services;
    }
}
