using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Exports.Destinations;

/// <summary>A local folder: temp file, fsync, rename over the final name, directory fsync.</summary>
public sealed class FolderDestination(string folder) : IExportDestination
{
    public string Display => folder;

    public Task<DeliveryTarget> OpenAsync(string fileName, string temporaryName, CancellationToken cancellation)
    {
        if (!Directory.Exists(folder))
        {
            throw new DeliveryException($"{folder}: the destination folder does not exist.");
        }

        string temporary = Path.Combine(folder, temporaryName);
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            return Task.FromResult<DeliveryTarget>(new Target(folder, fileName, temporaryName, stream));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DeliveryException($"{folder}: cannot create {temporaryName}: {ex.Message}", ex);
        }
    }

    public Task DeleteIfExistsAsync(string name, CancellationToken cancellation)
    {
        File.Delete(Path.Combine(folder, name));
        return Task.CompletedTask;
    }

    private sealed class Target(string folder, string fileName, string temporaryName, FileStream stream) : DeliveryTarget(fileName, temporaryName)
    {
        public override Stream Content => stream;

        protected override Task CommitCoreAsync(CancellationToken cancellation)
        {
            try
            {
                stream.Flush(flushToDisk: true);
                stream.Dispose();
                File.Move(Path.Combine(folder, TemporaryName), Path.Combine(folder, FileName), overwrite: true);
                DurableFile.FlushDirectory(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DeliveryException($"{folder}: cannot finish {FileName}: {ex.Message}", ex);
            }

            return Task.CompletedTask;
        }

        public override ValueTask DisposeAsync()
        {
            stream.Dispose();
            if (!Committed)
            {
                try
                {
                    File.Delete(Path.Combine(folder, TemporaryName));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Hidden .part name: never taken for a delivered file; recovery retries the delete.
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
