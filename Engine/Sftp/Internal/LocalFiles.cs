using System.Runtime.InteropServices;

namespace Onboarding.Engine.Sftp.Internal;

/// <summary>Local file moves that never replace an existing file.</summary>
internal static partial class LocalFiles
{
    private const int AtFdCwd = -100;
    private const uint RenameNoReplace = 1;
    private const int EExist = 17;

    /// <summary>
    /// Renames atomically unless <paramref name="destination"/> exists (then returns false). Uses
    /// <c>renameat2(RENAME_NOREPLACE)</c> on Linux, so at every instant exactly one of the two names exists.
    /// </summary>
    public static bool TryMoveNoReplace(string source, string destination)
    {
        if (OperatingSystem.IsLinux())
        {
            if (RenameAt2(AtFdCwd, source, AtFdCwd, destination, RenameNoReplace) == 0)
            {
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == EExist)
            {
                return false;
            }

            if (errno is not (22 /* EINVAL: filesystem without it */ or 38 /* ENOSYS */))
            {
                throw new IOException($"Cannot rename {source} to {destination} (errno {errno}).");
            }
        }

        if (File.Exists(destination) || Directory.Exists(destination))
        {
            return false;
        }

        File.Move(source, destination, overwrite: true); // rename(2); the check above leaves a tiny race only here
        return true;
    }

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);
}
