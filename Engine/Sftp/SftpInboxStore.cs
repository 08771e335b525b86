using System.Text.Json;
using System.Text.Json.Serialization;
using Onboarding.Engine.Security;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Sftp;

/// <summary>
/// The SFTP inbox configurations of a data folder, one durable JSON file per client
/// (<c>clients/&lt;client&gt;/inboxes.json</c>, written with <see cref="DurableFile"/>), and each inbox's state folder
/// (<c>clients/&lt;client&gt;/inboxes/&lt;name&gt;/</c>: <c>status.json</c>, the delivery ledger, the poll lock).
/// <para>
/// Why files and not the LiteDB catalog: the catalog is derived state (it is rebuilt from the commit journals, and a
/// damaged one is moved aside), and a LiteDB commit is not durable when it returns; configuration entered by an
/// operator is neither derivable nor acceptable to lose. Files also let <c>onboard inbox add-sftp</c> change the
/// configuration while <c>onboard watch</c> holds the data folder, and the poller re-reads them every cycle.
/// Secrets are only ever stored as <see cref="ProtectedSecret"/>s.
/// </para>
/// </summary>
public sealed class SftpInboxStore(string dataFolder) : ISecretStore
{
    public const string FileName = "inboxes.json";

    public string DataFolder { get; } = Path.GetFullPath(dataFolder);

    /// <summary>Every configured inbox (of one client when given), ordered by client then name.</summary>
    public IReadOnlyList<SftpInbox> List(string? client = null)
    {
        string clients = Path.Combine(DataFolder, "clients");
        if (!Directory.Exists(clients))
        {
            return [];
        }

        IEnumerable<string> names = client is null
            ? Directory.EnumerateDirectories(clients).Select(Path.GetFileName).OfType<string>()
            : [client];
        return [.. names.Order(StringComparer.Ordinal).SelectMany(c => Read(c)).OrderBy(i => i.Client, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal)];
    }

    /// <summary>The inbox named <paramref name="name"/> (names are unique across clients), or null.</summary>
    public SftpInbox? Find(string name) => List().FirstOrDefault(i => i.Name == name);

    public void Add(SftpInbox inbox)
    {
        inbox.Validate();
        using IDisposable _ = Lock();
        if (Find(inbox.Name) is { } existing)
        {
            throw new ArgumentException($"An SFTP inbox named \"{inbox.Name}\" already exists (client {existing.Client}); remove it first or choose another name.");
        }

        Write(inbox.Client, [.. Read(inbox.Client), inbox]);
    }

    /// <summary>Removes the configuration; the state folder (ledger, status) stays, so a re-added inbox keeps its history.</summary>
    public bool Remove(string name)
    {
        using IDisposable _ = Lock();
        if (Find(name) is not { } inbox)
        {
            return false;
        }

        Write(inbox.Client, [.. Read(inbox.Client).Where(i => i.Name != name)]);
        return true;
    }

    public string StateFolder(SftpInbox inbox) => Path.Combine(DataFolder, "clients", inbox.Client, "inboxes", inbox.Name);

    public SftpInboxStatus ReadStatus(SftpInbox inbox)
    {
        string path = Path.Combine(StateFolder(inbox), "status.json");
        try
        {
            return File.Exists(path)
                ? JsonSerializer.Deserialize(File.ReadAllBytes(path), SftpJsonContext.Default.SftpInboxStatus) ?? new SftpInboxStatus()
                : new SftpInboxStatus();
        }
        catch (JsonException)
        {
            // Written atomically, so only a hand edit breaks it; status is informational and rebuilt by the next poll.
            return new SftpInboxStatus();
        }
    }

    public void WriteStatus(SftpInbox inbox, SftpInboxStatus status)
    {
        string folder = StateFolder(inbox);
        Storage.DataFolder.CreatePrivateDirectory(folder);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(status, SftpJsonContext.Default.SftpInboxStatus);
        DurableFile.Write(Path.Combine(folder, "status.json"), s => s.Write(json));
    }

    public int ReprotectAll(SecretProtector protector)
    {
        using IDisposable _ = Lock();
        int count = 0;
        foreach (IGrouping<string, SftpInbox> client in List().GroupBy(i => i.Client))
        {
            var updated = new List<SftpInbox>();
            int before = count;
            foreach (SftpInbox inbox in client)
            {
                updated.Add(inbox with { Endpoint = inbox.Endpoint.Reprotected(protector, inbox.SecretScope, ref count) });
            }

            if (count != before)
            {
                Write(client.Key, updated);
            }
        }

        return count;
    }

    private List<SftpInbox> Read(string client)
    {
        string path = ConfigPath(client);
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            InboxFile file = JsonSerializer.Deserialize(File.ReadAllBytes(path), SftpJsonContext.Default.InboxFile)
                ?? throw new InvalidDataException($"{path} is empty.");
            return file.Version == InboxFile.CurrentVersion
                ? file.Inboxes
                : throw new InvalidDataException($"{path} has version {file.Version}; this onboard reads version {InboxFile.CurrentVersion}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not a valid inbox configuration: {ex.Message}", ex);
        }
    }

    private void Write(string client, List<SftpInbox> inboxes)
    {
        Storage.DataFolder.ValidateClientName(client);
        string folder = Path.Combine(DataFolder, "clients", client);
        Storage.DataFolder.CreatePrivateDirectory(Path.Combine(DataFolder, "clients"));
        Storage.DataFolder.CreatePrivateDirectory(folder);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new InboxFile(InboxFile.CurrentVersion, inboxes), SftpJsonContext.Default.InboxFile);
        DurableFile.Write(ConfigPath(client), s => s.Write(json));
    }

    private string ConfigPath(string client) => Path.Combine(DataFolder, "clients", client, FileName);

    /// <summary>Serialises configuration changes between processes (the CLI and a running watcher).</summary>
    private IDisposable Lock()
    {
        Storage.DataFolder.CreatePrivateDirectory(DataFolder);
        string path = Path.Combine(DataFolder, "inboxes.lock");
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }
}

internal sealed record InboxFile(int Version, List<SftpInbox> Inboxes)
{
    public const int CurrentVersion = 1;
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InboxFile))]
[JsonSerializable(typeof(SftpInboxStatus))]
internal sealed partial class SftpJsonContext : JsonSerializerContext;

/// <summary>One record per line: never indented.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LedgerRecord))]
internal sealed partial class SftpLedgerJsonContext : JsonSerializerContext;
