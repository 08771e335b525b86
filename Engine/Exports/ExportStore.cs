using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using LiteDB;
using JsonSerializer = System.Text.Json.JsonSerializer;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Exports;

/// <summary>
/// One client's export model in its own LiteDB file, <c>clients/&lt;client&gt;/exports.db</c>: destinations,
/// encryptions, export configurations, run history and settings.
/// <para>
/// Not the shared <c>catalog.db</c>: that one is derived from the commit journals and may be rebuilt, while what
/// operators enter here cannot be derived. Each record is kept as JSON (the domain records stay immutable and the
/// schedule's types need no LiteDB mapping); LiteDB gives the file, the transactions and the indexes.
/// </para>
/// <para>
/// Durability: a LiteDB commit is not on disk when it returns (its writer is asynchronous). Every operation
/// therefore opens the database under a file lock, and a write closes it (which drains LiteDB's writer) and then
/// fsyncs the data and log files and their folder before returning. A run's state change is on disk before the run
/// moves on. Opening per operation also lets the CLI and a running watcher share the file.
/// </para>
/// </summary>
public sealed class ExportStore
{
    public const string FileName = "exports.db";

    private const string Destinations = "destinations";
    private const string Encryptions = "encryptions";
    private const string Exports = "exports";
    private const string Runs = "runs";
    private const string Settings = "settings";

    /// <summary>The database a write holds open on this thread, so that reads made by its checks reuse it.</summary>
    [ThreadStatic]
    private static (string Path, LiteDatabase Db)? t_open;

    public ExportStore(string dataFolder, string client)
    {
        Storage.DataFolder.ValidateClientName(client);
        DataFolder = Path.GetFullPath(dataFolder);
        Client = client;
        ClientFolder = Path.Combine(DataFolder, "clients", client);
    }

    public string DataFolder { get; }

    public string Client { get; }

    public string ClientFolder { get; }

    public string DatabasePath => Path.Combine(ClientFolder, FileName);

    /// <summary>Where an export keeps its state files (the membership of its last successful run, for deltas).</summary>
    public string StateFolder(string exportName) => Path.Combine(ClientFolder, "exports", exportName);

    /// <summary>The associated-data scope a destination's secrets are encrypted under (binds them to client and name).</summary>
    public string SecretScope(string destinationName) => $"export-destination/{Client}/{destinationName}";

    public IReadOnlyList<Destination> ListDestinations() => ReadAll(Destinations, ExportJsonContext.Default.Destination);

    public Destination? FindDestination(string name) => ReadOne(Destinations, name, ExportJsonContext.Default.Destination);

    public IReadOnlyList<Encryption> ListEncryptions() => ReadAll(Encryptions, ExportJsonContext.Default.Encryption);

    public Encryption? FindEncryption(string name) => ReadOne(Encryptions, name, ExportJsonContext.Default.Encryption);

    public IReadOnlyList<ExportConfiguration> ListExports() => ReadAll(Exports, ExportJsonContext.Default.ExportConfiguration);

    public ExportConfiguration? FindExport(string name) => ReadOne(Exports, name, ExportJsonContext.Default.ExportConfiguration);

    public ExportSettings ReadSettings() => ReadOne(Settings, "settings", ExportJsonContext.Default.ExportSettings) ?? new ExportSettings();

    public void WriteSettings(ExportSettings settings) => Write(db => Upsert(db, Settings, "settings", settings, ExportJsonContext.Default.ExportSettings));

    /// <summary>Adds a record named <paramref name="name"/>, refusing a name already taken.</summary>
    private void Insert<T>(string collection, string name, T value, JsonTypeInfo<T> type, string what) =>
        Write(db =>
        {
            if (db.GetCollection(collection).FindById(name) is not null)
            {
                throw new ExportException($"Client {Client} already has {what} named \"{name}\".");
            }

            Upsert(db, collection, name, value, type);
        });

    internal void AddDestination(Destination destination) => Insert(Destinations, destination.Name, destination, ExportJsonContext.Default.Destination, "a destination");

    internal void AddEncryption(Encryption encryption) => Insert(Encryptions, encryption.Name, encryption, ExportJsonContext.Default.Encryption, "an encryption");

    internal void AddExport(ExportConfiguration export) => Insert(Exports, export.Name, export, ExportJsonContext.Default.ExportConfiguration, "an export");

    /// <summary>Replaces an export configuration read earlier; <paramref name="change"/> gets the current one inside the lock.</summary>
    internal ExportConfiguration UpdateExport(string name, Func<ExportConfiguration, ExportConfiguration> change)
    {
        ExportConfiguration? updated = null;
        Write(db =>
        {
            ExportConfiguration current = Get(db, Exports, name, ExportJsonContext.Default.ExportConfiguration)
                ?? throw new ExportException($"Client {Client} has no export named \"{name}\".");
            updated = change(current);
            Upsert(db, Exports, name, updated, ExportJsonContext.Default.ExportConfiguration);
        });
        return updated!;
    }

    /// <summary>Removes a destination or encryption unless an export uses it.</summary>
    private bool RemoveReferenced(string collection, string name, string what, Func<ExportConfiguration, bool> uses)
    {
        bool removed = false;
        Write(db =>
        {
            List<string> users = [.. All(db, Exports, ExportJsonContext.Default.ExportConfiguration).Where(e => e.State != ExportState.Canceled && uses(e)).Select(e => e.Name)];
            if (users.Count > 0)
            {
                throw new ExportException($"{what} \"{name}\" is used by export(s) {string.Join(", ", users.Select(u => $"\"{u}\""))}; change or cancel them first.");
            }

            removed = db.GetCollection(collection).Delete(name);
        });
        return removed;
    }

    internal bool RemoveDestination(string name) => RemoveReferenced(Destinations, name, "Destination", e => e.Destination == name);

    internal bool RemoveEncryption(string name) => RemoveReferenced(Encryptions, name, "Encryption", e => e.Encryption == name);

    /// <summary>The history of one export (or of all), newest first.</summary>
    public IReadOnlyList<ExportRun> ListRuns(string? exportName = null)
    {
        List<ExportRun> runs = [];
        Read(db =>
        {
            ILiteCollection<BsonDocument> collection = db.GetCollection(Runs);
            IEnumerable<BsonDocument> documents = exportName is null ? collection.FindAll() : collection.Find(Query.EQ("export", exportName));
            runs.AddRange(documents.Select(d => Deserialize(d, ExportJsonContext.Default.ExportRun)));
        });
        return [.. runs.OrderByDescending(r => r.Id)];
    }

    public ExportRun? FindRun(long id)
    {
        ExportRun? run = null;
        Read(db => run = db.GetCollection(Runs).FindById(id) is { } d ? Deserialize(d, ExportJsonContext.Default.ExportRun) : null);
        return run;
    }

    /// <summary>Records a new run; its id is assigned here.</summary>
    internal ExportRun AddRun(ExportRun run)
    {
        ExportRun? added = null;
        Write(db =>
        {
            ILiteCollection<BsonDocument> collection = db.GetCollection(Runs);
            long next = collection.Count() == 0 ? 1 : collection.Max("_id").AsInt64 + 1;
            added = run with { Id = next };
            collection.Insert(RunDocument(added));
        });
        return added!;
    }

    /// <summary>Durably replaces a run's row.</summary>
    internal void SaveRun(ExportRun run) => Write(db => db.GetCollection(Runs).Upsert(RunDocument(run)));

    private static BsonDocument RunDocument(ExportRun run) => new()
    {
        ["_id"] = run.Id,
        ["export"] = run.Export,
        ["state"] = run.State.ToString(),
        ["json"] = JsonSerializer.Serialize(run, ExportJsonContext.Default.ExportRun),
    };

    /// <summary>Re-encrypts this client's destination secrets not under the current key; returns how many were.</summary>
    internal int ReprotectDestinations(SecretProtector protector)
    {
        int count = 0;
        Write(db =>
        {
            foreach (Destination destination in All(db, Destinations, ExportJsonContext.Default.Destination))
            {
                if (destination.Sftp is not { } e)
                {
                    continue;
                }

                int before = count;
                Destination updated = destination with { Sftp = e.Reprotected(protector, SecretScope(destination.Name), ref count) };
                if (count != before)
                {
                    Upsert(db, Destinations, destination.Name, updated, ExportJsonContext.Default.Destination);
                }
            }
        });
        return count;
    }

    private IReadOnlyList<T> ReadAll<T>(string collection, JsonTypeInfo<T> type)
    {
        List<T> items = [];
        Read(db => items.AddRange(All(db, collection, type)));
        return items;
    }

    private T? ReadOne<T>(string collection, string name, JsonTypeInfo<T> type)
        where T : class
    {
        T? item = null;
        Read(db => item = Get(db, collection, name, type));
        return item;
    }

    private IEnumerable<T> All<T>(LiteDatabase db, string collection, JsonTypeInfo<T> type) =>
        db.GetCollection(collection).FindAll().OrderBy(d => d["_id"].AsString, StringComparer.Ordinal).Select(d => Deserialize(d, type)).ToList();

    private T? Get<T>(LiteDatabase db, string collection, string name, JsonTypeInfo<T> type)
        where T : class =>
        db.GetCollection(collection).FindById(name) is { } d ? Deserialize(d, type) : null;

    private static void Upsert<T>(LiteDatabase db, string collection, string name, T value, JsonTypeInfo<T> type) =>
        db.GetCollection(collection).Upsert(new BsonDocument { ["_id"] = name, ["json"] = JsonSerializer.Serialize(value, type) });

    private T Deserialize<T>(BsonDocument document, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(document["json"].AsString, type) ?? throw new JsonException("null record");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{DatabasePath}: record {document["_id"]} is not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    private void Read(Action<LiteDatabase> action)
    {
        if (t_open is { } open && open.Path == DatabasePath)
        {
            action(open.Db); // a read from inside a write (validation of a change): same lock, same transaction
            return;
        }

        if (!File.Exists(DatabasePath))
        {
            return;
        }

        using FileStream _ = Lock();
        using LiteDatabase db = Open();
        action(db);
    }

    private void Write(Action<LiteDatabase> action)
    {
        Storage.DataFolder.CreatePrivateDirectory(Path.Combine(DataFolder, "clients"));
        Storage.DataFolder.CreatePrivateDirectory(ClientFolder);
        if (t_open is { } open && open.Path == DatabasePath)
        {
            throw new InvalidOperationException("A write of the exports store cannot nest inside another.");
        }

        using FileStream _ = Lock();
        using (LiteDatabase db = Open())
        {
            t_open = (DatabasePath, db);
            db.BeginTrans();
            try
            {
                action(db);
                db.Commit();
            }
            catch
            {
                db.Rollback();
                throw;
            }
            finally
            {
                t_open = null;
            }
        }

        // Closed: LiteDB's writer has handed every page to the OS. Now make them durable.
        foreach (string file in new[] { DatabasePath, Path.Combine(ClientFolder, "exports-log.db") })
        {
            if (File.Exists(file))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
                stream.Flush(flushToDisk: true);
            }
        }

        DurableFile.FlushDirectory(ClientFolder);
    }

    private LiteDatabase Open() =>
        new(new ConnectionString { Filename = DatabasePath, Connection = ConnectionType.Direct }, new BsonMapper());

    /// <summary>Serialises access between processes (the CLI and a running watcher) and threads.</summary>
    private FileStream Lock()
    {
        string path = Path.Combine(ClientFolder, "exports.lock");
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }
        }
    }
}

/// <summary>The destination secrets of every client, for <c>onboard keys rotate</c>.</summary>
public sealed class ExportDestinationSecrets(string dataFolder) : ISecretStore
{
    public int ReprotectAll(SecretProtector protector)
    {
        string clients = Path.Combine(dataFolder, "clients");
        if (!Directory.Exists(clients))
        {
            return 0;
        }

        return Directory.EnumerateDirectories(clients)
            .Where(folder => File.Exists(Path.Combine(folder, ExportStore.FileName)))
            .Sum(folder => new ExportStore(dataFolder, Path.GetFileName(folder)).ReprotectDestinations(protector));
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Destination))]
[JsonSerializable(typeof(Encryption))]
[JsonSerializable(typeof(ExportConfiguration))]
[JsonSerializable(typeof(ExportRun))]
[JsonSerializable(typeof(ExportSettings))]
internal sealed partial class ExportJsonContext : JsonSerializerContext;
