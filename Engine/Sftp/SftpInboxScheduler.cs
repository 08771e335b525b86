using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Onboarding.Engine.Sftp;

/// <summary>
/// Polls every configured SFTP inbox when it is due: at its interval after a success, after a growing backoff
/// after failures (the status's <see cref="SftpInboxStatus.NextPoll"/>). Configurations are re-read every tick,
/// so inboxes added or removed with the CLI take effect while it runs. One inbox is never polled twice at once;
/// different inboxes poll in parallel. All timing goes through the <see cref="TimeProvider"/>.
/// </summary>
public sealed class SftpInboxScheduler(SftpInboxStore store, SftpInboxPoller poller, Func<SftpInbox, string> localFolder, TimeProvider? time = null, ILogger? logger = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly Dictionary<string, Task> _running = new(StringComparer.Ordinal);

    public static TimeSpan Tick { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Runs until cancelled; waits for polls in flight before returning.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                StartDue(cancellation);
                await Task.Delay(Tick, _time, cancellation).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        finally
        {
            await WhenIdleAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts a poll of every due inbox not already polling; returns the names started.</summary>
    public IReadOnlyList<string> StartDue(CancellationToken cancellation)
    {
        foreach (string done in _running.Where(p => p.Value.IsCompleted).Select(p => p.Key).ToList())
        {
            _running.Remove(done);
        }

        IReadOnlyList<SftpInbox> inboxes;
        try
        {
            inboxes = store.List();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "Cannot read the SFTP inbox configuration");
            return [];
        }

        DateTimeOffset now = _time.GetUtcNow();
        var started = new List<string>();
        foreach (SftpInbox inbox in inboxes)
        {
            if (_running.ContainsKey(inbox.Name) || store.ReadStatus(inbox).NextPoll is { } next && next > now)
            {
                continue;
            }

            _running[inbox.Name] = Task.Run(() => PollOneAsync(inbox, cancellation), CancellationToken.None);
            started.Add(inbox.Name);
        }

        return started;
    }

    /// <summary>Waits for every poll in flight.</summary>
    public async Task WhenIdleAsync()
    {
        await Task.WhenAll(_running.Values).ConfigureAwait(false);
        _running.Clear();
    }

    private async Task PollOneAsync(SftpInbox inbox, CancellationToken cancellation)
    {
        try
        {
            SftpPollResult result = await poller.PollAsync(inbox, localFolder(inbox), cancellation).ConfigureAwait(false);
            if (result.Delivered.Count > 0)
            {
                _logger.LogInformation("SFTP inbox {Inbox} ({Client}): {Count} file(s) delivered", inbox.Name, inbox.Client, result.Delivered.Count);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // one inbox's unexpected failure must not stop the others; it is logged and retried
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "SFTP inbox {Inbox} ({Client}): poll failed unexpectedly", inbox.Name, inbox.Client);
        }
    }
}
