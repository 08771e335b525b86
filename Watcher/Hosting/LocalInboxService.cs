using Microsoft.Extensions.Hosting;
using Onboarding.Engine.Inbox;

namespace Onboarding.Watcher.Hosting;

/// <summary>Runs the local inbox for the life of the host; on stop the file in progress commits or stays in .processing/.</summary>
public sealed class LocalInboxService(LocalInbox inbox) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => inbox.RunAsync(stoppingToken);
}
