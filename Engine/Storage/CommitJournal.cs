using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Onboarding.Engine.Storage;

/// <summary>
/// A client's append-only commit journal: one JSON line per received file, each followed by a checksum.
/// Appending a line and fsyncing it is the commit point of an ingestion. A torn last line (a crash while
/// appending) is dropped on open; damage anywhere else is reported, never silently skipped.
/// </summary>
public sealed class CommitJournal : IDisposable
{
    private const char ChecksumSeparator = '\t';
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
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
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

    /// <summary>Appends an entry and makes it durable; when this returns, the entry is committed.</summary>
    public void Append(JournalEntry entry)
    {
        if (entry.Sequence != NextSequence)
        {
            throw new InvalidOperationException($"Journal sequence {entry.Sequence} does not follow {NextSequence - 1}.");
        }

        string json = JsonSerializer.Serialize(entry, StorageJsonContext.Default.JournalEntry);
        byte[] line = Encoding.UTF8.GetBytes($"{json}{ChecksumSeparator}{Checksum(json)}\n");
        _file.Write(line);
        _file.Flush(flushToDisk: true);
        _entries.Add(entry);
    }

    public void Dispose() => _file.Dispose();

    private static (List<JournalEntry> Entries, long ValidLength) ReadEntries(FileStream file, string path)
    {
        var entries = new List<JournalEntry>();
        file.Seek(0, SeekOrigin.Begin);
        byte[] content = new byte[file.Length];
        file.ReadExactly(content);

        long position = 0;
        int lineNumber = 0;
        while (position < content.Length)
        {
            lineNumber++;
            int end = Array.IndexOf(content, (byte)'\n', (int)position);
            bool isLast = end < 0 || end == content.Length - 1;
            JournalEntry? entry = end < 0 ? null : TryParseLine(content.AsSpan((int)position, end - (int)position));
            if (entry is null)
            {
                if (isLast)
                {
                    // A crash while appending the last line: that file was never committed.
                    break;
                }

                throw new InvalidDataException(
                    $"{path}: line {lineNumber} of the commit journal is damaged but later lines are intact; " +
                    "refusing to guess what was committed. Restore the data folder from a backup.");
            }

            if (entries.Count > 0 && entry.Sequence != entries[^1].Sequence + 1)
            {
                throw new InvalidDataException(
                    $"{path}: line {lineNumber} has sequence {entry.Sequence}, expected {entries[^1].Sequence + 1}.");
            }

            entries.Add(entry);
            position = end + 1;
        }

        return (entries, position);
    }

    private static JournalEntry? TryParseLine(ReadOnlySpan<byte> line)
    {
        int separator = line.LastIndexOf((byte)ChecksumSeparator);
        if (separator < 0)
        {
            return null;
        }

        string json = Encoding.UTF8.GetString(line[..separator]);
        string checksum = Encoding.UTF8.GetString(line[(separator + 1)..]);
        if (checksum != Checksum(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, StorageJsonContext.Default.JournalEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Checksum(string json) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)).AsSpan(0, 8));
}
