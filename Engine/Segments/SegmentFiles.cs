using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Segments;

/// <summary>
/// A client's segment versions on disk: <c>segments/&lt;id&gt;/&lt;version&gt;.roar</c>, each an immutable
/// portable-format Roaring bitmap of member values. A version file is written before the journal line that
/// makes it live, so a file the journal does not name is debris from a crash and is deleted on open.
/// </summary>
public sealed class SegmentFiles(string folder)
{
    private const string Extension = ".roar";

    public string Folder { get; } = folder;

    public string PathOf(int segmentId, int version) =>
        Path.Combine(Folder, segmentId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            version.ToString(System.Globalization.CultureInfo.InvariantCulture) + Extension);

    public RoaringBitmap Read(int segmentId, int version)
    {
        string path = PathOf(segmentId, version);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return RoaringBitmap.Deserialize(stream);
        }
        catch (InvalidRoaringFormatException ex)
        {
            throw new InvalidDataException($"Segment file {path} is damaged: {ex.Message}", ex);
        }
    }

    /// <summary>Writes a new version durably (temp name, fsync, rename, directory fsync).</summary>
    public void Write(int segmentId, int version, RoaringBitmap members)
    {
        members.RunOptimize();
        DurableFile.Write(PathOf(segmentId, version), members.Serialize);
    }

    /// <summary>Deletes version files and temporaries that no committed journal entry names.</summary>
    public int DeleteUnreferenced(IReadOnlySet<(int SegmentId, int Version)> committed)
    {
        if (!Directory.Exists(Folder))
        {
            return 0;
        }

        int deleted = 0;
        foreach (string directory in Directory.EnumerateDirectories(Folder))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int segmentId))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(directory))
            {
                string name = Path.GetFileName(file);
                bool isCommitted = name.EndsWith(Extension, StringComparison.Ordinal)
                    && int.TryParse(name[..^Extension.Length], out int version)
                    && committed.Contains((segmentId, version));
                if (!isCommitted)
                {
                    File.Delete(file);
                    deleted++;
                }
            }
        }

        return deleted;
    }
}
