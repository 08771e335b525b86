using Onboarding.Engine.Inbox;

namespace Onboarding.Watcher.Hosting;

/// <summary>
/// What the watcher is doing, for a status line: not watching, watching, ingesting which file, and the last error.
/// Fed by the hosted services from background threads; <see cref="Changed"/> is raised on those threads.
/// </summary>
public sealed class WatcherStatus
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ReceivedFile> _processing = new(StringComparer.Ordinal);
    private string _inbox = "starting";
    private string? _lastError;

    /// <summary>The status text changed.</summary>
    public event Action? Changed;

    /// <summary>A received file changed state (queued, processing, processed, failed).</summary>
    public event Action<ReceivedFile>? FileChanged;

    /// <summary>e.g. "inbox: watching /srv/inbox", "inbox: ingesting a.csv (acme)", with "· last error: …" when there was one.</summary>
    public string Text
    {
        get
        {
            lock (_lock)
            {
                string state = _processing.Count switch
                {
                    0 => _inbox,
                    1 => $"ingesting {_processing.Values.First().Name} ({_processing.Values.First().Client})",
                    int n => $"ingesting {n} files",
                };
                return $"inbox: {state}" + (_lastError is null ? string.Empty : $"  ·  last error: {_lastError}");
            }
        }
    }

    public void NotWatching() => SetInbox("not watched (--no-watch)");

    public void Watching(string folder) => SetInbox($"watching {folder}");

    public void Stopped() => SetInbox("stopped");

    /// <summary>Takes a received file's new state (subscribe it to <see cref="InboxProcessor.FileChanged"/>).</summary>
    public void OnFileChanged(ReceivedFile file)
    {
        lock (_lock)
        {
            if (file.State == ReceivedFileState.Processing)
            {
                _processing[file.Id] = file;
            }
            else
            {
                _processing.Remove(file.Id);
            }

            if (file.State == ReceivedFileState.Failed)
            {
                _lastError = $"{file.Name}: {file.Reason}";
            }
        }

        FileChanged?.Invoke(file);
        Changed?.Invoke();
    }

    private void SetInbox(string state)
    {
        lock (_lock)
        {
            _inbox = state;
        }

        Changed?.Invoke();
    }
}
