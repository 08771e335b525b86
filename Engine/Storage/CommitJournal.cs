using System.Text.Json;

namespace Onboarding.Engine.Storage;

/// <summary>
/// A client's append-only commit journal: one JSON line per received file, each followed by a checksum.
/// Appending a line and fsyncing it is the commit point of an ingestion. A torn last line (a crash while
/// appending) is dropped on open; damage anywhere else is reported, never silently skipped.
/// </summary>
public sealed class CommitJournal : IDisposable
{
    private readonly FileStream _file;
    private readonly List<JournalEntry> _entries;

    private CommitJournal(FileStream file, List<JournalEntry> entries)
    {
        _file = file;
        _entries = entries;
    }

    public IReadOnlyList<JournalEntry> Entries => _entries;

    public long NextSequence => _entries.Count == 0 ? 1 : _entries[^1].Sequence + 1;

    /// <summary>Opens (or creates) a journal for appending, truncating a torn last line.</summary>
    public static CommitJournal Open(string path)
    {
        // Unbuffered: a failed append must leave nothing queued in a buffer to be written at dispose.
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            (List<JournalEntry> entries, long validLength) = ReadEntries(file, path);
            if (validLength < file.Length)
            {
                file.SetLength(validLength);
                file.Flush(flushToDisk: true);
            }

            file.Seek(0, SeekOrigin.End);
            return new CommitJournal(file, entries);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads the committed entries without opening for writing (a torn tail is ignored, not repaired).</summary>
    public static IReadOnlyList<JournalEntry> ReadCommitted(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return ReadEntries(file, path).Entries;
    }

    /// <summary>The committed entries and the bytes holding exactly them (a torn tail left out), read while a writer may append.</summary>
    internal static (IReadOnlyList<JournalEntry> Entries, ReadOnlyMemory<byte> Committed) ReadCommittedBytes(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        (List<JournalEntry> entries, long validLength) = ReadEntries(file, path);
        file.Seek(0, SeekOrigin.Begin);
        byte[] content = new byte[validLength];
        file.ReadExactly(content);
        return (entries, content);
    }

    /// <summary>Appends an entry and makes it durable; when this returns, the entry is committed.</summary>
    public void Append(JournalEntry entry)
    {
        if (entry.Sequence != NextSequence)
        {
            throw new InvalidOperationException($"Journal sequence {entry.Sequence} does not follow {NextSequence - 1}.");
        }

        byte[] line = ChecksummedLine.Encode(JsonSerializer.Serialize(entry, StorageJsonContext.Default.JournalEntry));
        long length = _file.Length;
        try
        {
            _file.Write(line);
            _file.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // A half-written line (a full disk) must not stay in front of the next append, where it would read as
            // damage; cut it off if the disk lets us. If not, reopening drops it as a torn tail.
            TryTruncate(length);
            throw;
        }

        _entries.Add(entry);
    }

    public void Dispose() => _file.Dispose();

    private void TryTruncate(long length)
    {
        try
        {
            _file.SetLength(length);
            _file.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
        }
    }

    private static (List<JournalEntry> Entries, long ValidLength) ReadEntries(FileStream file, string path)
    {
        file.Seek(0, SeekOrigin.Begin);
        byte[] content = new byte[file.Length];
        file.ReadExactly(content);
        (List<string> lines, long validLength) = ChecksummedLine.ReadAll(content, path, "commit journal");
        var entries = new List<JournalEntry>(lines.Count);
        for (int i = 0; i < lines.Count; i++)
        {
            JournalEntry entry = Parse(lines[i], path, i + 1);
            if (entries.Count > 0 && entry.Sequence != entries[^1].Sequence + 1)
            {
                throw new InvalidDataException(
                    $"{path}: line {i + 1} has sequence {entry.Sequence}, expected {entries[^1].Sequence + 1}.");
            }

            entries.Add(entry);
        }

        return (entries, validLength);
    }

    private static JournalEntry Parse(string json, string path, int lineNumber)
    {
        try
        {
            return JsonSerializer.Deserialize(json, StorageJsonContext.Default.JournalEntry)
                ?? throw new InvalidDataException($"{path}: line {lineNumber} of the commit journal holds no entry.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: line {lineNumber} of the commit journal passes its checksum but is not an entry: {ex.Message}", ex);
        }
    }
}
