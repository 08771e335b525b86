using Onboarding.Engine.Audiences;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Sftp;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Hosting;

/// <summary>What <c>onboard status</c> reports about a data folder; the JSON field names are a contract with scripts.</summary>
public sealed record StatusReport(
    string DataFolder,
    WatcherState Watcher,
    LocalInboxState Inbox,
    IReadOnlyList<SftpInboxState> SftpInboxes,
    ReceivedFileCounts Files,
    IReadOnlyList<ClientState> Clients);

/// <summary>Whether a watcher (<c>onboard watch</c> or the TUI) holds the folder, and what it is doing.</summary>
public sealed record WatcherState(bool Running, int? ProcessId, bool WatchingInboxes, string? Activity);

/// <summary>The local inbox: files dropped and not taken yet, and files being ingested (in <c>.processing/</c>).</summary>
public sealed record LocalInboxState(string Path, bool Exists, int Waiting, int Processing);

public sealed record SftpInboxState(
    string Name,
    string Client,
    string Host,
    DateTimeOffset? LastPoll,
    DateTimeOffset? LastSuccess,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? NextPoll);

/// <summary>The received files the catalog knows, by state, and the latest one.</summary>
public sealed record ReceivedFileCounts(int Waiting, int Processing, int Processed, int Failed, ReceivedFile? Latest);

public sealed record ClientState(string Client, long DiskBytes, DateTimeOffset? LastAudienceProcessing, IReadOnlyList<NextExport> NextExports);

public sealed record NextExport(string Name, string Audience, DateTimeOffset NextRun);

/// <summary>Reads a <see cref="StatusReport"/> from an open data folder; the holder's own state comes from its caller.</summary>
public static class DataFolderStatus
{
    public static StatusReport Read(DataFolder data, string inbox, WatcherState watcher, TimeProvider time)
    {
        DateTimeOffset now = time.GetUtcNow();
        IReadOnlyList<ReceivedFile> files = data.Catalog.ReceivedFiles();
        var counts = new ReceivedFileCounts(
            files.Count(f => f.State == ReceivedFileState.Waiting),
            files.Count(f => f.State == ReceivedFileState.Processing),
            files.Count(f => f.State == ReceivedFileState.Processed),
            files.Count(f => f.State == ReceivedFileState.Failed),
            files.Count > 0 ? files[^1] : null);
        return new StatusReport(data.Path, watcher, LocalInbox(inbox), SftpInboxes(data.Path), counts, [.. data.Clients.Select(c => Client(data, c, time, now))]);
    }

    private static LocalInboxState LocalInbox(string inbox)
    {
        string full = Path.GetFullPath(inbox);
        if (!Directory.Exists(full))
        {
            return new LocalInboxState(full, false, 0, 0);
        }

        int waiting = InboxConvention.Folders(full)
            .SelectMany(f => new DirectoryInfo(f.Folder).EnumerateFiles())
            .Count(f => f.LinkTarget is null && InboxConvention.Classify(full, f.FullName) is not null);
        return new LocalInboxState(full, true, waiting, new InboxFileLifecycle(full).LeftInProcessing().Count);
    }

    private static IReadOnlyList<SftpInboxState> SftpInboxes(string dataFolder)
    {
        var store = new SftpInboxStore(dataFolder);
        return [.. store.List().Select(inbox =>
        {
            SftpInboxStatus status = store.ReadStatus(inbox);
            return new SftpInboxState(inbox.Name, inbox.Client, inbox.Endpoint.Host, status.LastPoll, status.LastSuccess, status.LastError, status.LastErrorAt, status.NextPoll);
        })];
    }

    private static ClientState Client(DataFolder data, string client, TimeProvider time, DateTimeOffset now)
    {
        DateTimeOffset? lastProcessing = new AudienceService(data, client, time: time).List()
            .Select(a => a.LastProcessed).Max();
        IReadOnlyList<NextExport> exports = [.. new ExportService(data.Path, client, time: time).Active()
            .Select(e => (e.Name, e.Audience, Next: e.Schedule.NextRun(now)))
            .Where(e => e.Next is not null)
            .Select(e => new NextExport(e.Name, e.Audience, e.Next!.Value))
            .OrderBy(e => e.NextRun)];
        return new ClientState(client, DiskBytes(Path.Combine(data.Path, "clients", client)), lastProcessing, exports);
    }

    private static long DiskBytes(string folder) =>
        Directory.Exists(folder)
            ? new DirectoryInfo(folder).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }).Sum(f => f.Length)
            : 0;
}
