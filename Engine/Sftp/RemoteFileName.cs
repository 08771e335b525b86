using System.Text;

namespace Onboarding.Engine.Sftp;

/// <summary>
/// Checks a name from a server's listing before it is used to build a local or remote path: a hostile or broken
/// server must not be able to make us write outside the inbox folder.
/// </summary>
public static class RemoteFileName
{
    /// <summary>Longest accepted name in UTF-8 bytes (leaves room for the temp prefix/suffix within 255).</summary>
    public const int MaxBytes = 200;

    /// <summary>Null when the name is safe, else why it is refused.</summary>
    public static string? Problem(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "the name is empty";
        }

        if (name is "." or "..")
        {
            return "the name is a folder reference";
        }

        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            return "the name contains a path separator (it could escape the folder)";
        }

        if (name.Contains("..", StringComparison.Ordinal) && (name.StartsWith("..", StringComparison.Ordinal) || name.EndsWith("..", StringComparison.Ordinal)))
        {
            return "the name contains a parent-folder reference";
        }

        if (name.Any(c => c == '\0' || char.IsControl(c)))
        {
            return "the name contains a NUL or control character";
        }

        if (name.Any(char.IsSurrogate) && !IsWellFormed(name))
        {
            return "the name is not valid Unicode";
        }

        int bytes = Encoding.UTF8.GetByteCount(name);
        return bytes > MaxBytes ? $"the name is {bytes} bytes long (at most {MaxBytes})" : null;
    }

    /// <summary>Throws <see cref="SftpException"/> (<see cref="SftpFailureKind.UnsafeName"/>) for an unsafe name.</summary>
    public static void Validate(string name)
    {
        if (Problem(name) is { } problem)
        {
            throw new SftpException(SftpFailureKind.UnsafeName, $"Refused remote file name \"{Printable(name)}\": {problem}.");
        }
    }

    /// <summary>The name with control characters escaped and cut to a readable length, for messages.</summary>
    public static string Printable(string name)
    {
        var text = new StringBuilder();
        foreach (char c in name.Length > 80 ? name[..80] : name)
        {
            text.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
        }

        return name.Length > 80 ? text.Append("…").ToString() : text.ToString();
    }

    private static bool IsWellFormed(string name)
    {
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(name[i]))
            {
                return false;
            }
        }

        return true;
    }
}
