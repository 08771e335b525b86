using Onboarding.Engine.Clients;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;

namespace Onboarding.Tui.Hosting;

/// <summary>
/// The process's one opened <see cref="DataFolder"/> (it holds the single-writer lock), as the screens use it. Engine
/// calls run one at a time on the thread pool, never on the UI thread, and hold every client's write lock: a client's
/// store is not thread-safe, and the watcher's services running in this process write to it.
/// </summary>
internal sealed class EngineAccess(DataFolder data, ClientWriteLocks locks, ClientPolicies clients) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string DataPath => data.Path;

    /// <summary>Runs <paramref name="work"/> off the calling thread once every earlier engine call, and the write in progress, has finished.</summary>
    public async Task<T> RunAsync<T>(Func<DataFolder, T> work, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(
                async () =>
                {
                    List<IDisposable> held = [];
                    try
                    {
                        // In name order; the other writers hold one client at a time, so this cannot deadlock.
                        foreach (string client in data.Clients)
                        {
                            held.Add(await locks.AcquireAsync(client, cancellationToken).ConfigureAwait(false));
                        }

                        return work(data);
                    }
                    finally
                    {
                        held.ForEach(l => l.Dispose());
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs an export now, beside the other engine calls rather than after them: the run takes the client's write lock
    /// only while it reads the audience, then streams to the destination for as long as delivery takes, while the
    /// screens keep reading its history.
    /// </summary>
    public Task<ExportRun> RunExportAsync(string client, string export, CancellationToken cancellationToken = default) =>
        Task.Run(
            () => new ExportRunner(data, client, SecretProtector.Open(data.Path), locks: locks, policy: clients.For(client).Exports).RunAsync(export, TimeProvider.System.GetUtcNow(), cancellationToken),
            cancellationToken);

    public void Dispose()
    {
        _gate.Wait();
        _gate.Dispose();
    }
}
