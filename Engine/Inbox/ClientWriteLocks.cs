using System.Collections.Concurrent;

namespace Onboarding.Engine.Inbox;

/// <summary>
/// One writer per client at a time. A <see cref="Storage.ClientStore"/> is not thread-safe, so everything that
/// ingests into a client (the inbox, the TUI, later the SFTP inboxes) takes that client's lock from the one shared
/// instance; different clients proceed in parallel (the data folder and catalog guard what they share).
/// </summary>
public sealed class ClientWriteLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string client, CancellationToken cancellationToken = default)
    {
        SemaphoreSlim gate = _locks.GetOrAdd(client, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(gate);
    }

    public IDisposable Acquire(string client)
    {
        SemaphoreSlim gate = _locks.GetOrAdd(client, _ => new SemaphoreSlim(1, 1));
        gate.Wait();
        return new Releaser(gate);
    }

    /// <summary>The client's lock if nobody holds it now, else null (does not wait).</summary>
    public IDisposable? TryAcquire(string client)
    {
        SemaphoreSlim gate = _locks.GetOrAdd(client, _ => new SemaphoreSlim(1, 1));
        return gate.Wait(0) ? new Releaser(gate) : null;
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
