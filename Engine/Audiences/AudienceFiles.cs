using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Audiences;

/// <summary>
/// A client's audiences on disk, under <c>clients/&lt;client&gt;/audiences/</c>: <c>audiences.json</c> (definitions
/// and snapshots), and per audience <c>&lt;id&gt;/history.json</c> and <c>&lt;id&gt;/runs/&lt;date&gt;.roar</c> (the membership
/// of each processing run), and <c>snapshots/&lt;id&gt;.roar</c>. Every file is replaced atomically, so a crash
/// leaves either the old or the new version of each.
/// </summary>
internal sealed class AudienceFiles(string folder)
{
    private string CatalogPath => Path.Combine(folder, "audiences.json");

    public AudienceDocument Load()
    {
        if (!File.Exists(CatalogPath))
        {
            return new AudienceDocument();
        }

        using FileStream stream = File.OpenRead(CatalogPath);
        return JsonSerializer.Deserialize(stream, AudienceJsonContext.Default.AudienceDocument)
            ?? throw new InvalidDataException($"{CatalogPath} holds no audiences document.");
    }

    public void Save(AudienceDocument document) =>
        DurableFile.Write(CatalogPath, s => JsonSerializer.Serialize(s, document, AudienceJsonContext.Default.AudienceDocument));

    public IReadOnlyList<AudienceSizePoint> LoadHistory(int audienceId)
    {
        string path = HistoryPath(audienceId);
        if (!File.Exists(path))
        {
            return [];
        }

        using FileStream stream = File.OpenRead(path);
        return JsonSerializer.Deserialize(stream, AudienceJsonContext.Default.ListAudienceSizePoint) ?? [];
    }

    public void SaveHistory(int audienceId, List<AudienceSizePoint> points) =>
        DurableFile.Write(HistoryPath(audienceId), s => JsonSerializer.Serialize(s, points, AudienceJsonContext.Default.ListAudienceSizePoint));

    public void WriteRun(int audienceId, DateOnly date, RoaringBitmap members) =>
        DurableFile.Write(RunPath(audienceId, date), members.Serialize);

    public RoaringBitmap? ReadRun(int audienceId, DateOnly date) => ReadBitmap(RunPath(audienceId, date));

    /// <summary>The processing dates whose membership is kept, oldest first.</summary>
    public IReadOnlyList<DateOnly> RunDates(int audienceId)
    {
        string runs = Path.Combine(folder, Id(audienceId), "runs");
        if (!Directory.Exists(runs))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(runs, "*.roar")
            .Select(f => DateOnly.TryParseExact(Path.GetFileNameWithoutExtension(f), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly d) ? d : (DateOnly?)null)
            .OfType<DateOnly>()
            .Order()];
    }

    public void DeleteRun(int audienceId, DateOnly date) => File.Delete(RunPath(audienceId, date));

    public void DeleteAudience(int audienceId)
    {
        string path = Path.Combine(folder, Id(audienceId));
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    public void WriteSnapshot(int snapshotId, RoaringBitmap members) =>
        DurableFile.Write(SnapshotPath(snapshotId), members.Serialize);

    public RoaringBitmap ReadSnapshot(int snapshotId) =>
        ReadBitmap(SnapshotPath(snapshotId)) ?? throw new InvalidDataException($"Snapshot file {SnapshotPath(snapshotId)} is missing.");

    private static RoaringBitmap? ReadBitmap(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using FileStream stream = File.OpenRead(path);
        try
        {
            return RoaringBitmap.Deserialize(stream);
        }
        catch (InvalidRoaringFormatException ex)
        {
            throw new InvalidDataException($"{path} is damaged: {ex.Message}", ex);
        }
    }

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    private string HistoryPath(int audienceId) => Path.Combine(folder, Id(audienceId), "history.json");

    private string RunPath(int audienceId, DateOnly date) =>
        Path.Combine(folder, Id(audienceId), "runs", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".roar");

    private string SnapshotPath(int snapshotId) => Path.Combine(folder, "snapshots", Id(snapshotId) + ".roar");
}

/// <summary>The definitions of a client's audiences and snapshots.</summary>
internal sealed class AudienceDocument
{
    public int NextId { get; set; } = 1;

    public List<Audience> Audiences { get; set; } = [];

    public List<AudienceSnapshot> Snapshots { get; set; } = [];
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AudienceDocument))]
[JsonSerializable(typeof(List<AudienceSizePoint>))]
internal sealed partial class AudienceJsonContext : JsonSerializerContext;
