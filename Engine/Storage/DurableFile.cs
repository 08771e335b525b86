using System.Runtime.InteropServices;

namespace Onboarding.Engine.Storage;

/// <summary>
/// Writes that survive a crash at any byte: content goes to a temporary name, is fsynced, renamed over the
/// final name, and the directory entry is fsynced too.
/// </summary>
public static partial class DurableFile
{
    /// <summary>Atomically replaces <paramref name="path"/> with what <paramref name="write"/> produces.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        FlushDirectory(directory);
    }

    public static Task WriteAllTextAsync(string path, string text) =>
        Task.Run(() => Write(path, s => s.Write(System.Text.Encoding.UTF8.GetBytes(text))));

    /// <summary>Makes a rename or creation inside <paramref name="directory"/> durable.</summary>
    public static void FlushDirectory(string directory)
    {
        // .NET cannot open a directory as a file, so this goes to libc; on Windows NTFS journals the rename.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Cannot flush directory {directory} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
