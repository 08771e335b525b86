using System.Text.Json.Serialization;

namespace Onboarding.Engine.Storage.Backup;

/// <summary>
/// <c>backup.json</c>, written last into a backup folder: every file of the backup with its length and SHA-256.
/// A backup without it is incomplete and is never restored.
/// </summary>
public sealed record BackupManifest(int Format, DateTimeOffset Created, string Source, IReadOnlyList<BackupFileEntry> Files)
{
    public const string FileName = "backup.json";
    public const int CurrentFormat = 1;
}

/// <summary>One file of a backup, by its path relative to the data folder (with '/' separators).</summary>
public sealed record BackupFileEntry(string Path, long Length, string Sha256);

/// <summary>What a backup, a verification or a restore covered.</summary>
public sealed record BackupReport(string Folder, IReadOnlyList<string> Clients, int Files, long Bytes, int Segments, TimeSpan Duration);

/// <summary>A backup is incomplete, damaged or does not match its manifest; nothing was restored.</summary>
public sealed class BackupException(string message, Exception? inner = null) : Exception(message, inner);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(BackupManifest))]
internal sealed partial class BackupJsonContext : JsonSerializerContext;
