using LiteDB;
using Onboarding.Engine.Inbox;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace Onboarding.Engine.Storage;

/// <summary>The catalog's record of files received through inboxes (see <see cref="ReceivedFile"/>).</summary>
public sealed partial class Catalog
{
    private ILiteCollection<ReceivedFileDocument> ReceivedCollection
    {
        get
        {
            ILiteCollection<ReceivedFileDocument> collection = _db.GetCollection<ReceivedFileDocument>("received_files");
            return collection;
        }
    }

    /// <summary>Adds or replaces a received file's record (by <see cref="ReceivedFile.Id"/>).</summary>
    public void SaveReceivedFile(ReceivedFile file)
    {
        lock (_lock)
        {
            ReceivedCollection.Upsert(new ReceivedFileDocument
            {
                Id = file.Id,
                Client = file.Client,
                State = file.State.ToString(),
                Path = file.Path,
                Received = file.Received.UtcDateTime,
                Json = JsonSerializer.Serialize(file, ReceivedFileJsonContext.Default.ReceivedFile),
            });
        }
    }

    /// <summary>The received files, oldest first, optionally of one client and/or in one state.</summary>
    public IReadOnlyList<ReceivedFile> ReceivedFiles(string? client = null, ReceivedFileState? state = null)
    {
        string? stateName = state?.ToString();
        return Read<IReadOnlyList<ReceivedFile>>(() =>
        {
            IEnumerable<ReceivedFileDocument> documents = (client, stateName) switch
            {
                (null, null) => ReceivedCollection.FindAll(),
                (not null, null) => ReceivedCollection.Find(d => d.Client == client),
                (null, not null) => ReceivedCollection.Find(d => d.State == stateName),
                _ => ReceivedCollection.Find(d => d.Client == client && d.State == stateName),
            };
            return [.. documents.Select(d => d.File).OrderBy(f => f.Received).ThenBy(f => f.Id, StringComparer.Ordinal)];
        });
    }

    public ReceivedFile? FindReceivedFile(string id) => Read(() => ReceivedCollection.FindById(id)?.File);

    /// <summary>The record of the file now at <paramref name="path"/>, if one says so.</summary>
    public ReceivedFile? ReceivedFileAt(string path) => Read(() => ReceivedCollection.FindOne(d => d.Path == path)?.File);

    private sealed class ReceivedFileDocument
    {
        public string Id { get; set; } = string.Empty;

        public string Client { get; set; } = string.Empty;

        public string State { get; set; } = string.Empty;

        public string Path { get; set; } = string.Empty;

        public DateTime Received { get; set; }

        public string Json { get; set; } = string.Empty;

        public ReceivedFile File => JsonSerializer.Deserialize(Json, ReceivedFileJsonContext.Default.ReceivedFile)!;
    }
}
