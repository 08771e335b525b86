using Microsoft.Extensions.Hosting;
using Onboarding.Engine.Inbox;

namespace Onboarding.Watcher.Hosting;

/// <summary>Runs the local inbox for the life of the host; on stop the file in progress commits or stays in .processing/.</summary>
public sealed class LocalInboxService(LocalInbox inbox, InboxProcessor processor, WatcherStatus status) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        processor.FileChanged += status.OnFileChanged;
        _ = inbox.Watching.ContinueWith(_ => status.Watching(inbox.Folder), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        try
        {
            await inbox.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            processor.FileChanged -= status.OnFileChanged;
            status.Stopped();
        }
    }
}
