namespace Onboarding.Engine.Storage;

/// <summary>
/// Only one process writes a data folder at a time. The lock is an exclusive open of <c>.lock</c>; the OS
/// releases it when the process dies, so a crash never leaves a stale lock behind.
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    private readonly FileStream _handle;

    private DataFolderLock(FileStream handle) => _handle = handle;

    public static DataFolderLock Acquire(string dataFolder)
    {
        string path = Path.Combine(dataFolder, ".lock");
        try
        {
            var handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            handle.SetLength(0);
            handle.Write(System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n"));
            handle.Flush();
            return new DataFolderLock(handle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && !IsWritable(dataFolder))
        {
            throw new IOException(
                $"The data folder {dataFolder} cannot be written ({ex.Message}); onboard needs to write it to commit anything. " +
                "Check that its file system is mounted read-write, has free space and that this user may write the folder.",
                ex);
        }
        catch (IOException ex)
        {
            string holder = TryReadHolder(path);
            throw new DataFolderLockedException(
                $"The data folder {dataFolder} is in use by another onboard process{holder}. " +
                "Only one process can write a data folder at a time; stop the other one or use another --data folder.",
                ex);
        }
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>Whether a file can be created in the folder: a lock that fails in a writable folder is held by another process.</summary>
    private static bool IsWritable(string folder)
    {
        string probe = Path.Combine(folder, $".write-probe-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string TryReadHolder(string path)
    {
        try
        {
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var text = new StreamReader(reader);
            string? pid = text.ReadLine();
            return string.IsNullOrWhiteSpace(pid) ? string.Empty : $" (pid {pid.Trim()})";
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}

public sealed class DataFolderLockedException(string message, Exception inner) : IOException(message, inner);
