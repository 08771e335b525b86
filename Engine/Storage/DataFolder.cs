using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Audit;

namespace Onboarding.Engine.Storage;

/// <summary>
/// An opened data folder: the single-writer lock, the catalog and the clients' stores.
/// Layout: <c>catalog.db</c>, <c>.lock</c>, <c>clients/&lt;client&gt;/{commits.log, ids/, segments/}</c>.
/// Thread safety: <see cref="Client"/> and <see cref="Clients"/> may be called from any thread, and the catalog
/// serialises its writes, so different clients may be ingested in parallel. One client's store is not thread-safe:
/// callers run one writer per client at a time (the inbox does it with <c>ClientWriteLocks</c>).
/// </summary>
public sealed partial class DataFolder : IDisposable
{
    public const string DefaultClient = "default";

    private readonly DataFolderLock _lock;
    private readonly Dictionary<string, ClientStore> _clients = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    private DataFolder(string path, DataFolderLock folderLock, Catalog catalog, ILogger logger)
    {
        Path = path;
        _lock = folderLock;
        Catalog = catalog;
        _logger = logger;
        Audit = AuditLog.For(path);
    }

    public string Path { get; }

    public Catalog Catalog { get; }

    /// <summary>Where operator actions on this data folder are recorded.</summary>
    public AuditLog Audit { get; }

    /// <summary>Opens a data folder for writing, creating it (owner-only) if needed, and recovers from any crash.</summary>
    public static DataFolder Open(string path, ILoggerFactory? loggers = null)
    {
        ILogger logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<DataFolder>();
        path = System.IO.Path.GetFullPath(path);
        CreatePrivateDirectory(path);
        DataFolderLock folderLock = DataFolderLock.Acquire(path);
        Catalog? catalog = null;
        try
        {
            catalog = OpenCatalog(System.IO.Path.Combine(path, "catalog.db"), logger);
            var folder = new DataFolder(path, folderLock, catalog, logger);
            string clients = System.IO.Path.Combine(path, "clients");
            if (Directory.Exists(clients))
            {
                foreach (string client in Directory.EnumerateDirectories(clients))
                {
                    folder.Client(System.IO.Path.GetFileName(client));
                }
            }

            return folder;
        }
        catch
        {
            catalog?.Dispose();
            folderLock.Dispose();
            throw;
        }
    }

    public IReadOnlyList<string> Clients
    {
        get
        {
            lock (_clients)
            {
                return [.. _clients.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The store of one client, created on first use.</summary>
    public ClientStore Client(string name)
    {
        ValidateClientName(name);
        lock (_clients)
        {
            if (_clients.TryGetValue(name, out ClientStore? store) && store.IsBroken)
            {
                _logger.LogWarning("{Client}: a write to the store failed; reopening it from its journal", name);
                _clients.Remove(name);
                store.Dispose();
                store = null;
            }

            if (store is null)
            {
                store = ClientStore.Open(name, System.IO.Path.Combine(Path, "clients", name), Catalog);
                _clients.Add(name, store);
            }

            return store;
        }
    }

    /// <summary>What a client name may be: it names a folder under <c>clients/</c>.</summary>
    public const string ClientNameRule = "use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    public static bool IsValidClientName(string name) => ClientNamePattern().IsMatch(name);

    public static void ValidateClientName(string name)
    {
        if (!IsValidClientName(name))
        {
            throw new ArgumentException($"Client name \"{name}\" is not valid: {ClientNameRule}.", nameof(name));
        }
    }

    /// <summary>Creates a folder readable only by its owner (data folders hold customer IDs).</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose()
    {
        foreach (ClientStore client in _clients.Values)
        {
            client.Dispose();
        }

        Catalog.Dispose();
        _lock.Dispose();
    }

    private static Catalog OpenCatalog(string path, ILogger logger)
    {
        try
        {
            return Catalog.Open(path);
        }
        catch (Exception ex) when (ex is LiteDB.LiteException or InvalidDataException or IOException)
        {
            // The catalog is derived from the journals, so a damaged one is rebuilt rather than trusted.
            string aside = $"{path}.damaged-{DateTime.UtcNow:yyyyMMddHHmmss}";
            logger.LogWarning(ex, "Catalog {Path} could not be opened; moving it to {Aside} and rebuilding it from the journals", path, aside);
            File.Move(path, aside);
            return Catalog.Open(path);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex ClientNamePattern();
}
