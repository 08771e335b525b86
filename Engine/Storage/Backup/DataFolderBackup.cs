using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Onboarding.Engine.Audit;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.IO;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Segments;

namespace Onboarding.Engine.Storage.Backup;

/// <summary>
/// A consistent copy of a data folder taken while it is in use, and its verified restore.
/// <para>
/// Per client, the commit journal is the commit point, so the backup starts from it: the committed bytes of
/// <c>commits.log</c> (a torn tail left out) say which segment and suppression versions exist, and those files are
/// immutable, so they are copied as they are. Every ordinal a committed version mentions was flushed before its
/// journal line, so a copy of each ID dictionary taken after reading the journal holds them all. Audience files
/// are each replaced atomically and written before the <c>audiences.json</c> that names them, so that file is
/// copied first. The secret key and the protected stores (SFTP inboxes, later destinations) are copied as files;
/// the audit log up to its last whole line. The LiteDB catalog is not copied: it is derived from the journals
/// and rebuilt when the restored folder is opened (received-file views and logs are not part of a backup).
/// </para>
/// <para>
/// Every copied file is hashed as it is written and listed in <c>backup.json</c>, written last; every segment
/// version is read back and its size checked against its journal line. A restore checks all of it again, copies
/// into a new folder, opens it (rebuilding the catalog) and compares every current segment with the journal.
/// </para>
/// </summary>
public sealed class DataFolderBackup(DataFolder data, ClientWriteLocks? locks = null, TimeProvider? time = null)
{
    private const string ClientsFolder = "clients";
    private const string JournalName = "commits.log";
    private const string AudiencesCatalog = "audiences/audiences.json";
    private static readonly string[] OwnFolders = ["ids", "segments", "suppressed"];
    private static readonly string[] TopFiles = ["secret.key"];
    private readonly ClientWriteLocks _locks = locks ?? new ClientWriteLocks();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Backs the data folder up into <paramref name="folder"/>, which must not exist or be empty.</summary>
    public BackupReport Create(string folder)
    {
        long started = _time.GetTimestamp();
        folder = Path.GetFullPath(folder);
        PrepareEmptyFolder(folder, "backup");
        string inside = Path.GetRelativePath(data.Path, folder);
        if (!inside.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(inside))
        {
            throw new BackupException($"The backup folder {folder} is inside the data folder {data.Path}; choose a folder outside it.");
        }

        var files = new List<BackupFileEntry>();
        int segments = 0;
        foreach (string client in data.Clients)
        {
            segments += BackUpClient(client, folder, files);
        }

        foreach (string name in TopFiles)
        {
            string source = Path.Combine(data.Path, name);
            if (File.Exists(source))
            {
                files.Add(CopyFile(source, folder, name));
            }
        }

        if (File.Exists(data.Audit.Path))
        {
            byte[] content = File.ReadAllBytes(data.Audit.Path);
            files.Add(WriteFile(folder, AuditLog.FileName, content.AsSpan(0, Array.LastIndexOf(content, (byte)'\n') + 1)));
        }

        var manifest = new BackupManifest(BackupManifest.CurrentFormat, _time.GetUtcNow(), data.Path, files);
        Verify(folder, manifest);
        DurableFile.Write(Path.Combine(folder, BackupManifest.FileName), s => JsonSerializer.Serialize(s, manifest, BackupJsonContext.Default.BackupManifest));
        return Report(folder, manifest, segments, started, _time);
    }

    /// <summary>Checks a backup against its manifest and every client's journal; throws <see cref="BackupException"/> saying what is wrong.</summary>
    public static BackupReport Verify(string folder, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        long started = time.GetTimestamp();
        folder = Path.GetFullPath(folder);
        BackupManifest manifest = ReadManifest(folder);
        int segments = Verify(folder, manifest);
        return Report(folder, manifest, segments, started, time);
    }

    /// <summary>
    /// Verifies a backup and restores it into <paramref name="target"/> (which must not exist or be empty), then
    /// opens the restored folder and compares every current segment with its journal.
    /// </summary>
    public static BackupReport Restore(string folder, string target, string? actor = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        long started = time.GetTimestamp();
        folder = Path.GetFullPath(folder);
        target = Path.GetFullPath(target);
        BackupManifest manifest = ReadManifest(folder);
        int segments = Verify(folder, manifest);
        PrepareEmptyFolder(target, "restore");
        foreach (BackupFileEntry file in manifest.Files)
        {
            BackupFileEntry copied = CopyFile(Path.Combine(folder, file.Path), target, file.Path);
            if (copied.Sha256 != file.Sha256)
            {
                throw new BackupException($"{file.Path} changed while it was restored (SHA-256 {copied.Sha256}, expected {file.Sha256}).");
            }
        }

        using (DataFolder restored = DataFolder.Open(target))
        {
            foreach (string client in restored.Clients)
            {
                ClientStore store = restored.Client(client);
                foreach (SegmentInfo segment in store.ListSegments())
                {
                    long size = store.ReadMembers(segment).Cardinality;
                    if (size != segment.Size)
                    {
                        throw new BackupException($"Restored segment {segment.Name} of client {client} has {size:N0} members; its journal says {segment.Size:N0}.");
                    }
                }
            }

            AuditLog.For(target, time).Record(actor ?? AuditLog.DefaultActor, AuditActions.Restore, null, target, $"from {folder}, taken {manifest.Created:u} of {manifest.Source}");
        }

        return Report(target, manifest, segments, started, time);
    }

    private int BackUpClient(string client, string folder, List<BackupFileEntry> files)
    {
        ClientStore store = data.Client(client);
        string relative = $"{ClientsFolder}/{client}";
        IReadOnlyList<JournalEntry> entries;
        List<IdDictionary> dictionaries;
        using (_locks.Acquire(client))
        {
            // Held only to read the committed journal and open the dictionaries; the copies run alongside writers.
            string journal = Path.Combine(store.Folder, JournalName);
            (entries, ReadOnlyMemory<byte> committed) = File.Exists(journal) ? CommitJournal.ReadCommittedBytes(journal) : ([], ReadOnlyMemory<byte>.Empty);
            files.Add(WriteFile(folder, $"{relative}/{JournalName}", committed.Span));
            dictionaries = [.. IdTypes.All.Where(t => File.Exists(Path.Combine(store.Folder, "ids", IdTypes.FileName(t) + ".ids"))).Select(store.Dictionary)];
        }

        foreach (IdDictionary dictionary in dictionaries)
        {
            files.Add(WriteFile(folder, $"{relative}/ids/{Path.GetFileName(dictionary.Path)}", dictionary.CopyTo));
        }

        int segments = 0;
        foreach (JournalEntry entry in entries)
        {
            foreach (SegmentChange change in entry.Changes)
            {
                files.Add(CopyFile(store.Segments.PathOf(change.SegmentId, change.Version), folder, Relative(store, store.Segments.PathOf(change.SegmentId, change.Version))));
                segments++;
            }

            if (entry.Suppression is { } suppression)
            {
                string path = store.SuppressionPathOf(suppression.Version);
                files.Add(CopyFile(path, folder, Relative(store, path)));
            }
        }

        string audiences = Path.Combine(store.Folder, AudiencesCatalog);
        if (File.Exists(audiences))
        {
            files.Add(CopyFile(audiences, folder, $"{relative}/{AudiencesCatalog}"));
        }

        foreach (string path in Directory.EnumerateFiles(store.Folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Relative(store, path);
            string[] parts = name.Split('/');
            if (parts[2] == JournalName || OwnFolders.Contains(parts[2]) || name == $"{relative}/{AudiencesCatalog}" || path.EndsWith(".tmp", StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                files.Add(CopyFile(path, folder, name));
            }
            catch (FileNotFoundException)
            {
                // Replaced or dropped (a processing run past retention) since the listing; what replaced it is newer
                // than the audiences.json copied above, which does not need it.
            }
        }

        return segments;
    }

    private string Relative(ClientStore store, string path) =>
        Path.GetRelativePath(data.Path, path).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>Checks every file's length and hash, and that every client's journal, dictionaries and segment versions agree.</summary>
    private static int Verify(string folder, BackupManifest manifest)
    {
        foreach (BackupFileEntry file in manifest.Files)
        {
            string path = Path.Combine(folder, file.Path);
            if (!File.Exists(path))
            {
                throw new BackupException($"The backup in {folder} is missing {file.Path}.");
            }

            using FileStream stream = File.OpenRead(path);
            string hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (stream.Length != file.Length || hash != file.Sha256)
            {
                throw new BackupException($"{file.Path} in the backup {folder} is damaged: {stream.Length:N0} bytes with SHA-256 {hash}, the manifest says {file.Length:N0} bytes with {file.Sha256}.");
            }
        }

        int segments = 0;
        foreach (string journal in manifest.Files.Select(f => f.Path).Where(p => p.EndsWith("/" + JournalName, StringComparison.Ordinal)))
        {
            string clientFolder = Path.GetDirectoryName(Path.Combine(folder, journal))!;
            IReadOnlyList<JournalEntry> entries;
            try
            {
                entries = CommitJournal.ReadCommitted(Path.Combine(folder, journal));
            }
            catch (InvalidDataException ex)
            {
                throw new BackupException($"The backup's {journal} is damaged: {ex.Message}", ex);
            }

            var segmentFiles = new SegmentFiles(Path.Combine(clientFolder, "segments"));
            var suppressionFiles = new SegmentFiles(Path.Combine(clientFolder, "suppressed"));
            foreach (JournalEntry entry in entries)
            {
                foreach (SegmentChange change in entry.Changes)
                {
                    CheckSize(segmentFiles, change.SegmentId, change.Version, change.Size, $"segment {change.Group}={change.Segment} version {change.Version}");
                    segments++;
                }

                if (entry.Suppression is { } suppression)
                {
                    CheckSize(suppressionFiles, 0, suppression.Version, suppression.Size, $"suppression set version {suppression.Version}");
                }
            }
        }

        return segments;

        void CheckSize(SegmentFiles files, int id, int version, long expected, string what)
        {
            long size;
            try
            {
                size = files.Read(id, version).Cardinality;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                throw new BackupException($"The backup's {what} cannot be read: {ex.Message}", ex);
            }

            if (size != expected)
            {
                throw new BackupException($"The backup's {what} has {size:N0} members; its journal line says {expected:N0}.");
            }
        }
    }

    private static BackupManifest ReadManifest(string folder)
    {
        string path = Path.Combine(folder, BackupManifest.FileName);
        if (!File.Exists(path))
        {
            throw new BackupException($"{folder} holds no complete backup: {BackupManifest.FileName} is missing (a backup writes it last).");
        }

        try
        {
            using FileStream stream = File.OpenRead(path);
            BackupManifest manifest = JsonSerializer.Deserialize(stream, BackupJsonContext.Default.BackupManifest)
                ?? throw new BackupException($"{path} is empty.");
            if (manifest.Format != BackupManifest.CurrentFormat)
            {
                throw new BackupException($"{path} is backup format {manifest.Format}; this version reads format {BackupManifest.CurrentFormat}.");
            }

            if (manifest.Files.FirstOrDefault(f => !IsSafeRelativePath(f.Path)) is { } unsafePath)
            {
                throw new BackupException($"{path} names a file outside the backup: \"{unsafePath.Path}\".");
            }

            return manifest;
        }
        catch (JsonException ex)
        {
            throw new BackupException($"{path} is not a backup manifest: {ex.Message}", ex);
        }
    }

    /// <summary>A manifest is input too: its paths stay inside the folder they are joined to.</summary>
    private static bool IsSafeRelativePath(string path) =>
        path.Length > 0 && !Path.IsPathRooted(path) && !path.Contains('\\', StringComparison.Ordinal) && !path.Contains('\0', StringComparison.Ordinal)
        && path.Split('/').All(part => part.Length > 0 && part != "." && part != "..");

    private static void PrepareEmptyFolder(string folder, string what)
    {
        if (File.Exists(folder) || (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any()))
        {
            throw new BackupException($"The {what} folder {folder} is not empty; give a new or empty folder.");
        }

        DataFolder.CreatePrivateDirectory(folder);
    }

    private static BackupFileEntry CopyFile(string source, string folder, string relative)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
        return WriteFile(folder, relative, input.CopyTo);
    }

    private static BackupFileEntry WriteFile(string folder, string relative, ReadOnlySpan<byte> content)
    {
        byte[] copy = content.ToArray();
        return WriteFile(folder, relative, s => s.Write(copy));
    }

    private static BackupFileEntry WriteFile(string folder, string relative, Action<Stream> write)
    {
        string path = Path.Combine(folder, relative.Replace('/', Path.DirectorySeparatorChar));
        CreatePrivateDirectories(folder, Path.GetDirectoryName(path)!);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        using (var hashing = new HashingStream(output, hash))
        {
            write(hashing);
            length = output.Length;
            output.Flush(flushToDisk: true);
        }

        DurableFile.FlushDirectory(Path.GetDirectoryName(path)!);
        return new BackupFileEntry(relative, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static void CreatePrivateDirectories(string root, string directory)
    {
        if (directory.Length > root.Length && !Directory.Exists(directory))
        {
            CreatePrivateDirectories(root, Path.GetDirectoryName(directory)!);
            DataFolder.CreatePrivateDirectory(directory);
        }
    }

    private static BackupReport Report(string folder, BackupManifest manifest, int segments, long started, TimeProvider time) =>
        new(folder, [.. manifest.Files.Select(f => f.Path.Split('/')).Where(p => p.Length > 2 && p[0] == ClientsFolder).Select(p => p[1]).Distinct().Order(StringComparer.Ordinal)],
            manifest.Files.Count, manifest.Files.Sum(f => f.Length), segments, time.GetElapsedTime(started));

    /// <summary>Hashes what passes through on its way to the file.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : WriteOnlyStream
    {
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();
    }
}
