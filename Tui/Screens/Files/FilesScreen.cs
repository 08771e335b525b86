using System.Text.Json;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Sftp;
using Onboarding.Engine.Storage;
using Onboarding.Tui.Shell;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Files;

/// <summary>
/// "Ingestion": the files the client's inboxes received, newest first, with their state (waiting, processing,
/// processed, failed), outcome, rows read/applied/rejected, duration and reason, and below them the client's SFTP
/// inboxes with their last poll and last error. Enter shows a file's per-segment changes and first rejected rows.
/// </summary>
internal sealed class FilesScreen : TableScreen<ReceivedFile>
{
    public static readonly KeyMap Keys = new("Ingestion screen");
    public static readonly KeyAction OpenKey = Keys.Describe("Enter", "open the file: its changes per segment and its first rejected rows (or double-click)");

    private const int InboxLines = 4;
    private readonly Label _inboxes;
    private IReadOnlyList<ReceivedFile> _all = [];

    public FilesScreen(TuiSession session)
        : base(session, "Ingestion", 5, 6, 7, 8)
    {
        Hint.Text = "Enter: changes and rejected rows";
        Table.Height = Dim.Fill(InboxLines);
        _inboxes = Views.DataLabel("SFTP inboxes: none");
        _inboxes.Y = Pos.AnchorEnd(InboxLines);
        _inboxes.Height = InboxLines;
        Add(_inboxes);
        Show();
    }

    /// <summary>The SFTP inboxes lines as shown.</summary>
    public string InboxesText => _inboxes.Text;

    public override async Task RefreshAsync()
    {
        string client = Session.Client;
        (IReadOnlyList<ReceivedFile> files, string inboxes) = await Session.Engine
            .RunAsync(data => (data.Catalog.ReceivedFiles(client), DescribeInboxes(data.Path, client)))
            .ConfigureAwait(false);
        OnUiThread(() =>
        {
            if (client == Session.Client)
            {
                _all = files;
                _inboxes.Text = inboxes;
                Show();
            }
        });
    }

    protected override void OnSearchChanged() => Show();

    /// <summary>Opens the file's changes and rejected rows (what its ingestion committed, from the client's journal).</summary>
    protected override void Open(ReceivedFile file)
    {
        Start(async () =>
        {
            // The journal records inbox files under their delivered name; the latest such entry is this reception's.
            JournalEntry? entry = await Session.Engine.RunAsync(data => data.Catalog.Files(file.Client).LastOrDefault(e => e.FileName == file.Name)).ConfigureAwait(false);
            string? report = file.RejectReportPath is { } path && File.Exists(path) ? path : null;
            IReadOnlyList<RejectedRow> rejected = report is not null
                ? await Task.Run(() => RejectReportPreview.Read(report, FileDetailDialog.MaxRejectedRows)).ConfigureAwait(false)
                : [];
            OnUiThread(() =>
            {
                if (entry is null)
                {
                    MessageBox.Query(App!, $"File {file.Name}", $"{Format.Lower(file.State)}: {file.Reason ?? "not ingested yet"}", "_OK");
                    return;
                }

                using var dialog = new FileDetailDialog(entry, rejected, report);
                App?.Run(dialog);
            });
        });
    }

    private static string DescribeInboxes(string dataPath, string client)
    {
        try
        {
            var store = new SftpInboxStore(dataPath);
            IReadOnlyList<SftpInbox> inboxes = store.List(client);
            if (inboxes.Count == 0)
            {
                return "SFTP inboxes: none (onboard inbox add-sftp)";
            }

            IEnumerable<string> lines = inboxes.Take(InboxLines - 1).Select(inbox =>
            {
                SftpInboxStatus status = store.ReadStatus(inbox);
                string poll = status.LastPoll is { } last ? "last poll " + Format.Time(last) : "not polled yet";
                string outcome = status.LastError is { } error ? $"last error: {error}" : status.LastPoll is null ? string.Empty : "OK";
                return $"  {inbox.Name}  {inbox.Endpoint.Display}  ·  {poll}  ·  {outcome}";
            });
            string more = inboxes.Count >= InboxLines ? $" (first {InboxLines - 1} of {inboxes.Count})" : string.Empty;
            return $"SFTP inboxes{more}:\n" + string.Join('\n', lines);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or JsonException or UnauthorizedAccessException)
        {
            return $"SFTP inboxes: cannot be read: {ex.Message}";
        }
    }

    private void Show()
    {
        string[] keywords = SearchText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Shown = [.. _all
            .Where(f => keywords.All(k => f.Name.Contains(k, StringComparison.OrdinalIgnoreCase)
                || f.State.ToString().Contains(k, StringComparison.OrdinalIgnoreCase)
                || (f.Outcome?.ToString().Contains(k, StringComparison.OrdinalIgnoreCase) ?? false)
                || (f.Reason?.Contains(k, StringComparison.OrdinalIgnoreCase) ?? false)))
            .OrderByDescending(f => f.Received)
            .ThenByDescending(f => f.Name, StringComparer.Ordinal)];
        Table.Table = new EnumerableTableSource<ReceivedFile>(Shown, new Dictionary<string, Func<ReceivedFile, object>>
        {
            ["Received ▼"] = f => Format.Time(f.Received),
            ["File"] = f => f.Name,
            ["Mode"] = f => Format.Lower(f.Mode),
            ["State"] = f => Format.Lower(f.State),
            ["Outcome"] = f => f.Outcome is { } outcome ? Format.Lower(outcome) : string.Empty,
            ["Read"] = f => Format.Count(f.RowsRead),
            ["Applied"] = f => Format.Count(f.RowsApplied),
            ["Rejected"] = f => Format.Count(f.RowsRejected),
            ["Seconds"] = f => f.Duration is { } d ? d.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : string.Empty,
            ["Reason"] = f => f.Reason ?? string.Empty,
            ["Source"] = f => f.Source,
        });
        if (Shown.Count > 0 && Table.Value is null)
        {
            Table.Value = new TableSelection(new System.Drawing.Point(0, 0));
        }

        int processed = _all.Count(f => f.State == ReceivedFileState.Processed);
        int failed = _all.Count(f => f.State == ReceivedFileState.Failed);
        int pending = _all.Count - processed - failed;
        SetSummary($"{Format.Plural(_all.Count, "file")}: {processed} processed, {failed} failed, {pending} waiting or processing");
    }
}
