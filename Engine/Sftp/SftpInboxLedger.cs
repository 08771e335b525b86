using System.Text;
using System.Text.Json;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Sftp;

/// <summary>A remote file as the listing showed it: the same name, size and modification time is the same file.</summary>
public readonly record struct RemoteFileKey(string Name, long Size, long ModifiedTicks);

internal sealed record LedgerRecord(string Op, string Name, long Size, long Modified, DateTimeOffset At)
{
    public string? Part { get; init; }

    public string? Local { get; init; }

    public string? Sha256 { get; init; }
}

/// <summary>
/// The durable record of what an inbox has delivered, which makes a poll restartable at any point: a line is
/// appended and fsynced at each step of a file's journey, before the step that follows it.
/// <list type="bullet">
/// <item><c>intent</c>: the local temp file exists (created and its folder fsynced first); the download starts.</item>
/// <item><c>delivered</c>: the temp file was renamed into the local inbox; the remote file is still to clean up.</item>
/// <item><c>cleaned</c>: the remote file was moved to <c>processed/</c> or deleted. <c>abandoned</c>: the temp file
/// was discarded, the file will be downloaded again.</item>
/// </list>
/// After a crash, an <c>intent</c> whose temp file is gone was renamed into place (a rename is atomic, and nothing
/// else removes our temp files), so it counts as delivered; one whose temp file remains is abandoned and downloaded
/// again. A <c>delivered</c> file is never downloaded again: the next poll only finishes its remote cleanup.
/// A torn last line (a crash mid-append) is ignored: its step had not happened yet.
/// </summary>
internal sealed class SftpInboxLedger
{
    private const int CompactAfterLines = 2_000;
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly Dictionary<RemoteFileKey, LedgerRecord> _open = [];
    private int _lines;

    private SftpInboxLedger(string path, TimeProvider time)
    {
        _path = path;
        _time = time;
    }

    public static SftpInboxLedger Open(string folder, TimeProvider time)
    {
        Storage.DataFolder.CreatePrivateDirectory(folder);
        var ledger = new SftpInboxLedger(Path.Combine(folder, "ledger.jsonl"), time);
        ledger.Load();
        return ledger;
    }

    /// <summary>Files whose download started but was not recorded as delivered.</summary>
    public IReadOnlyList<(RemoteFileKey Key, string Part)> Unfinished =>
        [.. _open.Where(p => p.Value.Op == "intent").Select(p => (p.Key, p.Value.Part!))];

    /// <summary>Files delivered locally whose remote copy is not yet moved or deleted.</summary>
    public IReadOnlyList<RemoteFileKey> AwaitingCleanup => [.. _open.Where(p => p.Value.Op == "delivered").Select(p => p.Key)];

    public bool IsAwaitingCleanup(RemoteFileKey key) => _open.TryGetValue(key, out LedgerRecord? r) && r.Op == "delivered";

    public void Intent(RemoteFileKey key, string partPath) => Append(Record("intent", key) with { Part = partPath });

    public void Delivered(RemoteFileKey key, string localPath, string? sha256) => Append(Record("delivered", key) with { Local = localPath, Sha256 = sha256 });

    public void Cleaned(RemoteFileKey key) => Append(Record("cleaned", key));

    public void Abandoned(RemoteFileKey key) => Append(Record("abandoned", key));

    /// <summary>Rewrites the ledger with only the files still in progress once it has grown long.</summary>
    public void CompactIfLarge()
    {
        if (_lines < CompactAfterLines)
        {
            return;
        }

        var text = new StringBuilder();
        foreach (LedgerRecord record in _open.Values)
        {
            text.Append(JsonSerializer.Serialize(record, SftpLedgerJsonContext.Default.LedgerRecord)).Append('\n');
        }

        DurableFile.Write(_path, s => s.Write(Encoding.UTF8.GetBytes(text.ToString())));
        _lines = _open.Count;
    }

    private LedgerRecord Record(string op, RemoteFileKey key) => new(op, key.Name, key.Size, key.ModifiedTicks, _time.GetUtcNow());

    private void Append(LedgerRecord record)
    {
        byte[] line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, SftpLedgerJsonContext.Default.LedgerRecord) + "\n");
        bool created = !File.Exists(_path);
        using (var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            if (stream.Length > 0 && !EndsWithNewline())
            {
                stream.Write("\n"u8); // isolate a torn line left by a crash
            }

            stream.Write(line);
            stream.Flush(flushToDisk: true);
        }

        if (created)
        {
            DurableFile.FlushDirectory(Path.GetDirectoryName(_path)!);
        }

        Apply(record);
        _lines++;
    }

    private bool EndsWithNewline()
    {
        using var read = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (read.Length == 0)
        {
            return true;
        }

        read.Seek(-1, SeekOrigin.End);
        return read.ReadByte() == '\n';
    }

    private void Load()
    {
        if (!File.Exists(_path))
        {
            return;
        }

        foreach (string line in File.ReadLines(_path))
        {
            if (line.Length == 0)
            {
                continue;
            }

            _lines++;
            LedgerRecord? record;
            try
            {
                record = JsonSerializer.Deserialize(line, SftpLedgerJsonContext.Default.LedgerRecord);
            }
            catch (JsonException)
            {
                continue; // a torn append: the step it would have recorded had not completed
            }

            if (record is not null)
            {
                Apply(record);
            }
        }
    }

    private void Apply(LedgerRecord record)
    {
        var key = new RemoteFileKey(record.Name, record.Size, record.Modified);
        if (record.Op is "cleaned" or "abandoned")
        {
            _open.Remove(key);
        }
        else
        {
            _open[key] = record;
        }
    }
}
