using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Clients;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Notifications;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Hosting;

/// <summary>
/// Runs every client's due exports (<see cref="ExportScheduler"/>) for as long as the host runs: at start-up it closes
/// the runs a crash left in progress, then it runs each export when its schedule says, retries failed runs and
/// notifies the export's addresses when a run ends. Exports read members under the same <see cref="ClientWriteLocks"/>
/// the inboxes write under.
/// </summary>
public sealed class ExportSchedulerService : BackgroundService
{
    private readonly ExportHistoryScheduleStore _store;
    private readonly ExportScheduler _scheduler;
    private readonly ILogger _logger;

    public ExportSchedulerService(
        DataFolder data,
        ClientWriteLocks locks,
        IExportNotifier notifier,
        TimeProvider time,
        ILoggerFactory? logs = null,
        ExportRetryPolicy? retry = null,
        ClientPolicies? clients = null)
    {
        clients ??= new ClientPolicies();
        logs ??= NullLoggerFactory.Instance;
        _logger = logs.CreateLogger<ExportSchedulerService>();

        // Opened on the first client with exports, so a data folder without any gets no key file from this service.
        var protector = new Lazy<SecretProtector>(() => SecretProtector.Open(data.Path), LazyThreadSafetyMode.ExecutionAndPublication);
        _store = new ExportHistoryScheduleStore(
            data,
            client => new ExportRunner(data, client, protector.Value, time, logs.CreateLogger<ExportRunner>(), locks, policy: clients.For(client).Exports),
            notifier,
            logs.CreateLogger<ExportHistoryScheduleStore>());
        _scheduler = new ExportScheduler(_store, _store.AttemptAsync, time, retry, logs.CreateLogger<ExportScheduler>());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start-up path: recovery opens every client's exports database.
        await Task.Yield();
        try
        {
            int interrupted = _store.RecoverInterrupted();
            if (interrupted > 0)
            {
                _logger.LogWarning("{Count} export run(s) interrupted by the last stop were marked failed; the scheduler retries them", interrupted);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ExportException or SecretKeyException)
        {
            _logger.LogError(ex, "Cannot recover interrupted export runs; scheduling continues");
        }

        await _scheduler.RunAsync(stoppingToken).ConfigureAwait(false);
    }
}

public static class ExportSchedulingHosting
{
    /// <summary>
    /// Adds the export scheduler, notifying through <paramref name="smtp"/> (none configured: notifications are logged
    /// and kept in the run's history), with each client's configured minimum export size from <paramref name="clients"/>.
    /// </summary>
    public static IServiceCollection AddExportScheduling(this IServiceCollection services, SmtpOptions smtp, ClientPolicies? clients = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ClientWriteLocks>();
        services.TryAddSingleton<IExportNotifier>(sp => new SmtpExportNotifier(smtp, sp.GetService<ILogger<SmtpExportNotifier>>()));
        services.AddHostedService(sp => new ExportSchedulerService(
            sp.GetRequiredService<DataFolder>(),
            sp.GetRequiredService<ClientWriteLocks>(),
            sp.GetRequiredService<IExportNotifier>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            clients: clients));
        return services;
    }
}
