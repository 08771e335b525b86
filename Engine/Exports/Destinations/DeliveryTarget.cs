namespace Onboarding.Engine.Exports.Destinations;

/// <summary>
/// A file being delivered: written under a temporary (hidden, <c>.part</c>) name in the destination folder, then
/// renamed into place by <see cref="CommitAsync"/>, so a reader there sees the whole file or nothing. Disposing an
/// uncommitted target deletes the temporary file (best effort; a crash leaves it hidden, and recovery removes it).
/// </summary>
public abstract class DeliveryTarget : IAsyncDisposable
{
    protected DeliveryTarget(string fileName, string temporaryName)
    {
        FileName = fileName;
        TemporaryName = temporaryName;
    }

    public string FileName { get; }

    public string TemporaryName { get; }

    /// <summary>Where the content goes (under the temporary name). Synchronous writes.</summary>
    public abstract Stream Content { get; }

    protected bool Committed { get; private set; }

    /// <summary>Makes the content durable where the destination allows it, then renames it to <see cref="FileName"/>.</summary>
    public async Task CommitAsync(CancellationToken cancellation)
    {
        await CommitCoreAsync(cancellation).ConfigureAwait(false);
        Committed = true;
    }

    public abstract ValueTask DisposeAsync();

    protected abstract Task CommitCoreAsync(CancellationToken cancellation);

    /// <summary>The temporary name of a run's file: hidden and never looking final.</summary>
    public static string TemporaryNameFor(string fileName, long runId) => $".{fileName}.{runId}.part";
}

/// <summary>A place export files can be delivered to.</summary>
public interface IExportDestination
{
    string Display { get; }

    Task<DeliveryTarget> OpenAsync(string fileName, string temporaryName, CancellationToken cancellation);

    /// <summary>Removes a file left by an interrupted run, if it is there.</summary>
    Task DeleteIfExistsAsync(string name, CancellationToken cancellation);
}

/// <summary>A destination refused or failed an operation; the message carries the destination's (or server's) own words.</summary>
public sealed class DeliveryException(string message, Exception? inner = null) : Exception(message, inner);
