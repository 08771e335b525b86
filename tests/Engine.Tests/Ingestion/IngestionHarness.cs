using System.Security.Cryptography;
using System.Text;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Tests.Ingestion;

/// <summary>A data folder in a temp folder, files written into it, and the segments read back as ID text.</summary>
internal sealed class IngestionHarness : IDisposable
{
    private readonly TempFolder _folder = new();
    private int _files;

    public IngestionHarness(IngestionPolicy? policy = null)
    {
        Policy = policy;
        Data = DataFolder.Open(DataPath);
        Service = new IngestionService(Data, policy);
    }

    public string DataPath => _folder.File("data");

    public IngestionPolicy? Policy { get; }

    public DataFolder Data { get; private set; }

    public IngestionService Service { get; private set; }

    public static string Id(int n) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"person{n}")));

    /// <summary>Writes a file: a header then the given data lines (each <c>TYPE,ID,ADD,REMOVE</c>).</summary>
    public string WriteFile(params string[] lines) => WriteFileNamed($"file{++_files}.csv", lines);

    public string WriteFileNamed(string name, params string[] lines)
    {
        string path = _folder.File(name);
        File.WriteAllText(path, "ID Type,ID,Add,Remove\n" + string.Concat(lines.Select(l => l + "\n")));
        return path;
    }

    public static string Row(int person, string add = "", string remove = "") => $"HEMSHA2,{Id(person)},{add},{remove}";

    public IngestionResult Ingest(string path, IngestionMode mode = IngestionMode.Delta, string client = DataFolder.DefaultClient, bool force = false, bool dryRun = false) =>
        Service.Ingest(new IngestionRequest(path) { Mode = mode, Client = client, Force = force, DryRun = dryRun });

    /// <summary>The members of a segment as ID text, or null when the segment does not exist.</summary>
    public SortedSet<string>? Members(string group, string segment, string client = DataFolder.DefaultClient)
    {
        ClientStore store = Data.Client(client);
        SegmentInfo? info = store.FindSegment(group, segment);
        if (info is null)
        {
            return null;
        }

        return new SortedSet<string>(store.ReadMembers(info).Select(store.FormatMember), StringComparer.Ordinal);
    }

    /// <summary>Every segment of a client as "Group=Segment" → its members' ID text, for comparing whole stores.</summary>
    public static Dictionary<string, string> SegmentContents(DataFolder data, string client = DataFolder.DefaultClient)
    {
        ClientStore store = data.Client(client);
        return store.ListSegments().ToDictionary(
            s => s.Name,
            s => string.Join(",", store.ReadMembers(s).Select(store.FormatMember).Order(StringComparer.Ordinal)));
    }

    public static SortedSet<string> People(params int[] people) => new(people.Select(Id), StringComparer.Ordinal);

    public void Reopen()
    {
        Data.Dispose();
        Data = DataFolder.Open(DataPath);
        Service = new IngestionService(Data, Policy);
    }

    public void Dispose()
    {
        Data.Dispose();
        _folder.Dispose();
    }
}
