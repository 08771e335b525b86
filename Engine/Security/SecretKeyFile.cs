using System.Text;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Security;

/// <summary>
/// <c>&lt;data&gt;/secret.key</c>: the keys that protect secrets, kept outside the catalog and owner-only (0600).
/// The first line names the current key (it encrypts); <c>retired</c> lines only decrypt, and exist only while a
/// rotation is re-encrypting. Written atomically (temp name, fsync, rename, directory fsync).
/// </summary>
internal static class SecretKeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string PathIn(string dataFolder) => Path.Combine(dataFolder, SecretProtector.KeyFileName);

    /// <summary>Reads the keys, or returns null when the file does not exist.</summary>
    public static (SecretKey Current, IReadOnlyList<SecretKey> Retired)? TryRead(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        CheckOwnerOnly(path);
        SecretKey? current = null;
        var retired = new List<SecretKey>();
        int lineNumber = 0;
        foreach (string line in File.ReadAllLines(path))
        {
            lineNumber++;
            string text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            string[] fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3 || (fields[0] != "current" && fields[0] != "retired"))
            {
                throw new SecretKeyException($"{path} line {lineNumber} is not \"current|retired <key id> <base64 key>\".");
            }

            SecretKey key = SecretKey.Parse(fields[2], $"{path} line {lineNumber}");
            if (key.Id != fields[1])
            {
                throw new SecretKeyException($"{path} line {lineNumber}: the key does not match its id {fields[1]} (the file was edited or damaged).");
            }

            if (fields[0] == "current")
            {
                if (current is not null)
                {
                    throw new SecretKeyException($"{path} names more than one current key.");
                }

                current = key;
            }
            else
            {
                retired.Add(key);
            }
        }

        return current is null
            ? throw new SecretKeyException($"{path} has no current key.")
            : (current, retired);
    }

    /// <summary>Creates the file with a new random key unless another process just did; returns what is on disk.</summary>
    public static (SecretKey Current, IReadOnlyList<SecretKey> Retired) CreateIfMissing(string path)
    {
        if (TryRead(path) is { } existing)
        {
            return existing;
        }

        Write(path, SecretKey.Generate(), [], replace: false);
        return TryRead(path)!.Value;
    }

    public static void Write(string path, SecretKey current, IReadOnlyList<SecretKey> retired, bool replace = true)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var text = new StringBuilder()
            .Append("# onboard secret keys (AES-256-GCM). Owner-only; back it up apart from the data folder: without it\n")
            .Append("# the stored SFTP passwords and keys cannot be decrypted. The current key encrypts; retired keys only\n")
            .Append("# decrypt and are dropped when `onboard keys rotate` has re-encrypted every secret.\n")
            .Append("current ").Append(current.Id).Append(' ').Append(current.ToBase64()).Append('\n');
        foreach (SecretKey key in retired)
        {
            text.Append("retired ").Append(key.Id).Append(' ').Append(key.ToBase64()).Append('\n');
        }

        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
            stream.Flush(flushToDisk: true);
        }

        try
        {
            if (replace)
            {
                File.Move(temporary, path, overwrite: true);
            }
            else if (!File.Exists(path))
            {
                File.Move(temporary, path, overwrite: false);
            }
        }
        catch (IOException) when (!replace && File.Exists(path))
        {
            // Another process created the key first; theirs is the key.
        }
        finally
        {
            File.Delete(temporary);
        }

        DurableFile.FlushDirectory(directory);
    }

    private static void CheckOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        if ((mode & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)) != 0)
        {
            throw new SecretKeyException(
                $"{path} is readable or writable by other users (mode {Convert.ToString((int)mode, 8)}); it must be owner-only: chmod 600 {path}");
        }
    }
}
