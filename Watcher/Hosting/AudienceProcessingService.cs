using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Scheduling;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Hosting;

/// <summary>When the nightly processing of active audiences runs (default 00:00 local time).</summary>
public sealed class AudienceProcessingOptions
{
    public TimeOnly At { get; set; } = new(0, 0);

    public TimeZoneInfo TimeZone { get; set; } = TimeZoneInfo.Local;

    public AudienceOptions Audiences { get; set; } = new();
}

/// <summary>Processes every client's active audiences once a day, taking each client's write lock in turn.</summary>
public sealed class AudienceProcessingService(
    DataFolder data,
    ClientWriteLocks locks,
    AudienceProcessingOptions options,
    TimeProvider time,
    ILogger<AudienceProcessingService>? logger = null) : BackgroundService
{
    private readonly ILogger _logger = logger ?? NullLogger<AudienceProcessingService>.Instance;

    // Runs are scheduled from the moment the service was created, so a run that falls due while the host is
    // still starting is not skipped.
    private readonly DateTimeOffset _created = time.GetUtcNow();

    /// <summary>Processes every client for one date; a failing client is logged and does not stop the others.</summary>
    public async Task RunAsync(DateOnly date, CancellationToken cancellationToken)
    {
        foreach (string client in data.Clients)
        {
            using IDisposable clientLock = await locks.AcquireAsync(client, cancellationToken).ConfigureAwait(false);
            try
            {
                new AudienceService(data, client, options.Audiences, time).Process(date);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or AudienceRuleException or Engine.Audiences.Expressions.AudienceExpressionException)
            {
                _logger.LogError(ex, "{Client}: processing audiences for {Date} failed", client, date);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = new DailyTime(options.At, options.TimeZone);
        DateTimeOffset last = _created;
        while (!stoppingToken.IsCancellationRequested)
        {
            DateTimeOffset next = schedule.NextAfter(last);
            TimeSpan wait = next - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
            }

            await RunAsync(schedule.DateAt(next), stoppingToken).ConfigureAwait(false);
            last = next;
        }
    }
}

public static class AudienceProcessingHosting
{
    /// <summary>Adds the nightly audience processing (needs the DataFolder and ClientWriteLocks of <c>AddOnboardingWatcher</c>).</summary>
    public static IServiceCollection AddAudienceProcessing(this IServiceCollection services, AudienceProcessingOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ClientWriteLocks>();
        services.AddSingleton(options);
        services.AddHostedService<AudienceProcessingService>();
        return services;
    }
}
