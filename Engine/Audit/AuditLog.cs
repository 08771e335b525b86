using System.Text.Json;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Audit;

/// <summary>
/// The data folder's audit log, <c>audit.log</c>: one checksummed JSON line per operator action (the commit
/// journal's line format), appended and fsynced before the call returns, never rewritten. Several processes may
/// append (the watcher, a CLI command, <c>onboard keys rotate</c>): each append holds the file exclusively for
/// the moment it writes. A torn last line (a crash while appending) is cut off by the next append.
/// </summary>
public sealed class AuditLog(string path, TimeProvider? time = null)
{
    public const string FileName = "audit.log";
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();

    public string Path { get; } = path;

    /// <summary>The audit log of a data folder.</summary>
    public static AuditLog For(string dataFolder, TimeProvider? time = null) =>
        new(System.IO.Path.Combine(dataFolder, FileName), time);

    /// <summary>Who acts when the caller names nobody: the operating-system user.</summary>
    public static string DefaultActor => Environment.UserName;

    /// <summary>Appends one action, stamped now; it is durable when this returns.</summary>
    public AuditRecord Record(string actor, string action, string? client, string target, string? details = null)
    {
        var record = new AuditRecord(_time.GetUtcNow(), actor, action, client, target, details);
        byte[] line = ChecksummedLine.Encode(JsonSerializer.Serialize(record, AuditJsonContext.Default.AuditRecord));
        lock (_gate)
        {
            using FileStream file = OpenExclusive(FileMode.OpenOrCreate, FileAccess.ReadWrite);
            CutTornTail(file);
            file.Seek(0, SeekOrigin.End);
            file.Write(line);
            file.Flush(flushToDisk: true);
        }

        return record;
    }

    /// <summary>The recorded actions, oldest first, optionally only one client's and only from a time on.</summary>
    public IReadOnlyList<AuditRecord> Read(string? client = null, DateTimeOffset? since = null)
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        byte[] content;
        lock (_gate)
        {
            using FileStream file = OpenExclusive(FileMode.Open, FileAccess.Read);
            content = new byte[file.Length];
            file.ReadExactly(content);
        }

        (List<string> lines, _) = ChecksummedLine.ReadAll(content, Path, "audit log");
        return [.. lines.Select(Parse).Where(r => (client is null || r.Client == client) && (since is null || r.Time >= since))];
    }

    private AuditRecord Parse(string json, int index) =>
        JsonSerializer.Deserialize(json, AuditJsonContext.Default.AuditRecord)
        ?? throw new InvalidDataException($"{Path}: line {index + 1} of the audit log holds no record.");

    private static void CutTornTail(FileStream file)
    {
        if (file.Length == 0)
        {
            return;
        }

        file.Seek(-1, SeekOrigin.End);
        if (file.ReadByte() == '\n')
        {
            return;
        }

        byte[] content = new byte[file.Length];
        file.Seek(0, SeekOrigin.Begin);
        file.ReadExactly(content);
        int end = Array.LastIndexOf(content, (byte)'\n') + 1;
        if (end < content.Length)
        {
            file.SetLength(end);
        }
    }

    /// <summary>Another process may hold the file for its own append; wait for it rather than fail.</summary>
    private FileStream OpenExclusive(FileMode mode, FileAccess access)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(Path, mode, access, FileShare.None, bufferSize: 0);
            }
            catch (IOException) when (File.Exists(Path) && System.Diagnostics.Stopwatch.GetElapsedTime(started) < LockWait)
            {
                Thread.Sleep(20);
            }
        }
    }
}
