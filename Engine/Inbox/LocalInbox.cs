using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Onboarding.Engine.Inbox;

/// <summary>Where the local inbox is and how it is watched.</summary>
public sealed class LocalInboxOptions
{
    public string Path { get; set; } = "inbox";

    /// <summary>A file not renamed into place is complete once its size and time stayed the same this long.</summary>
    public TimeSpan SettlePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The whole inbox is rescanned this often, because file system events can be lost.</summary>
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often files waiting to settle are checked.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// Watches a local inbox folder and hands each complete file to the <see cref="InboxProcessor"/>: a
/// <see cref="FileSystemWatcher"/> for prompt notice, a rescan on start and every <see cref="LocalInboxOptions.RescanInterval"/>
/// for what its events missed, and an <see cref="InboxScanner"/> to decide completeness. Events, timer ticks and
/// rescans are funnelled into one loop, so the scanner is only ever used from one thread. All intervals run on the
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class LocalInbox(LocalInboxOptions options, InboxProcessor processor, TimeProvider? time = null, ILogger<LocalInbox>? logger = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger<LocalInbox>.Instance;

    private readonly TaskCompletionSource _watching = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Folder { get; } = System.IO.Path.GetFullPath(options.Path);

    /// <summary>Completes once file system events are being received (a file renamed in from then on is seen at once).</summary>
    public Task Watching => _watching.Task;

    /// <summary>How received files of this inbox are labelled (<see cref="ReceivedFile.Source"/>).</summary>
    public string Source => "local:" + Folder;

    /// <summary>Watches until <paramref name="stoppingToken"/> is cancelled, then stops the processor and waits for it.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(Folder);
        var signals = Channel.CreateUnbounded<Signal>(new UnboundedChannelOptions { SingleReader = true });
        var scanner = new InboxScanner(Folder, options.SettlePeriod, _time);
        using var watcher = new FileSystemWatcher(Folder)
        {
            IncludeSubdirectories = true,
            InternalBufferSize = 64 * 1024,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size | NotifyFilters.LastWrite,
        };
        watcher.Created += (_, e) => signals.Writer.TryWrite(new Signal(SignalKind.Observe, e.FullPath));
        watcher.Changed += (_, e) => signals.Writer.TryWrite(new Signal(SignalKind.Observe, e.FullPath));
        watcher.Renamed += (_, e) =>
        {
            signals.Writer.TryWrite(new Signal(SignalKind.Forget, e.OldFullPath));
            signals.Writer.TryWrite(new Signal(SignalKind.Renamed, e.FullPath));
        };
        watcher.Error += (_, e) =>
        {
            _logger.LogWarning(e.GetException(), "Inbox {Inbox}: file system events were lost; rescanning", Folder);
            signals.Writer.TryWrite(new Signal(SignalKind.Rescan, null));
        };
        watcher.EnableRaisingEvents = true;
        _watching.TrySetResult();

        using ITimer poll = _time.CreateTimer(_ => signals.Writer.TryWrite(new Signal(SignalKind.Poll, null)), null, options.PollInterval, options.PollInterval);
        using ITimer rescan = _time.CreateTimer(_ => signals.Writer.TryWrite(new Signal(SignalKind.Rescan, null)), null, options.RescanInterval, options.RescanInterval);

        int recovered = processor.Recover(Folder, Source);
        _logger.LogInformation(
            "Watching inbox {Inbox} (settle {Settle:0.###} s, rescan every {Rescan:0.###} s){Recovered}",
            Folder, options.SettlePeriod.TotalSeconds, options.RescanInterval.TotalSeconds, recovered > 0 ? $"; {recovered} file(s) left in .processing/ queued again" : string.Empty);
        scanner.Rescan(processor.IsQueued);
        try
        {
            await foreach (Signal signal in signals.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                Handle(scanner, signal);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            watcher.EnableRaisingEvents = false;
            _logger.LogInformation("Inbox {Inbox}: stopping; the file in progress commits or stays in .processing/", Folder);
            await processor.StopAsync().ConfigureAwait(false);
        }
    }

    private void Handle(InboxScanner scanner, Signal signal)
    {
        try
        {
            switch (signal.Kind)
            {
                case SignalKind.Observe when Directory.Exists(signal.Path):
                case SignalKind.Renamed when Directory.Exists(signal.Path):
                case SignalKind.Rescan:
                    // A new folder may already hold files the watcher did not see being created.
                    scanner.Rescan(processor.IsQueued);
                    break;
                case SignalKind.Observe when !processor.IsQueued(signal.Path!):
                    scanner.Observe(signal.Path!);
                    break;
                case SignalKind.Renamed when scanner.Renamed(signal.Path!) is { } file:
                    processor.Enqueue(file, Folder, Source);
                    break;
                case SignalKind.Forget:
                    scanner.Forget(signal.Path!);
                    break;
                case SignalKind.Poll:
                    foreach (InboxFile file in scanner.Poll())
                    {
                        processor.Enqueue(file, Folder, Source);
                    }

                    break;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(ex, "Inbox {Inbox}: {Path} could not be read", Folder, signal.Path);
        }
    }

    private enum SignalKind
    {
        Observe,
        Renamed,
        Forget,
        Poll,
        Rescan,
    }

    private sealed record Signal(SignalKind Kind, string? Path);
}
