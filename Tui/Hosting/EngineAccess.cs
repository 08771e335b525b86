using Onboarding.Engine.Storage;

namespace Onboarding.Tui.Hosting;

/// <summary>
/// The one opened <see cref="DataFolder"/> of the process (it holds the single-writer lock), used by the UI and
/// the inbox ingestion alike. Engine calls run one at a time on the thread pool, never on the UI thread.
/// </summary>
internal sealed class EngineAccess(DataFolder data) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string DataPath => data.Path;

    /// <summary>Where reject reports and summaries of inbox files go: <c>&lt;data&gt;/reports/&lt;client&gt;</c>.</summary>
    public string ReportFolder(string client) => Path.Combine(data.Path, "reports", client);

    /// <summary>Runs <paramref name="work"/> off the calling thread once every earlier engine call has finished.</summary>
    public async Task<T> RunAsync<T>(Func<DataFolder, T> work, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => work(data), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Wait();
        data.Dispose();
        _gate.Dispose();
    }
}
