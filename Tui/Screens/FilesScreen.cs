using Onboarding.Engine.Storage;
using Onboarding.Tui.Shell;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens;

/// <summary>
/// "Ingestion": the files the client sent, newest first, with their outcome (applied, refused, duplicate), the
/// reason, rows read/applied/rejected and when; Enter shows the per-segment changes and the first rejected rows.
/// </summary>
internal sealed class FilesScreen : TableScreen<JournalEntry>
{
    public static readonly KeyMap Keys = new("Ingestion screen");
    public static readonly KeyAction OpenKey = Keys.Describe("Enter", "open the file: its changes per segment and its first rejected rows (or double-click)");

    private IReadOnlyList<JournalEntry> _all = [];

    public FilesScreen(TuiSession session)
        : base(session, "Ingestion", 0, 5, 6, 7)
    {
        Hint.Text = "Enter: changes and rejected rows";
        Show();
    }

    public override async Task RefreshAsync()
    {
        string client = Session.Client;
        IReadOnlyList<JournalEntry> files = await Session.Engine.RunAsync(data => data.Catalog.Files(client)).ConfigureAwait(false);
        OnUiThread(() =>
        {
            if (client == Session.Client)
            {
                _all = files;
                Show();
            }
        });
    }

    protected override void OnSearchChanged() => Show();

    /// <summary>Opens the file's changes and rejected rows.</summary>
    protected override void Open(JournalEntry entry)
    {
        string report = Path.Combine(Session.Engine.ReportFolder(Session.Client), entry.FileName + ".rejects.csv");
        Start(async () =>
        {
            IReadOnlyList<RejectedRow> rejected = entry.RowsRejected > 0 && File.Exists(report)
                ? await Task.Run(() => RejectReportPreview.Read(report, FileDetailDialog.MaxRejectedRows)).ConfigureAwait(false)
                : [];
            OnUiThread(() =>
            {
                using var dialog = new FileDetailDialog(entry, rejected, File.Exists(report) ? report : null);
                App?.Run(dialog);
            });
        });
    }

    private void Show()
    {
        string[] keywords = SearchText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Shown = [.. _all
            .Where(e => keywords.All(k => e.FileName.Contains(k, StringComparison.OrdinalIgnoreCase)
                || e.Outcome.ToString().Contains(k, StringComparison.OrdinalIgnoreCase)
                || (e.Reason?.Contains(k, StringComparison.OrdinalIgnoreCase) ?? false)))
            .OrderByDescending(e => e.Sequence)];
        Table.Table = new EnumerableTableSource<JournalEntry>(Shown, new Dictionary<string, Func<JournalEntry, object>>
        {
            ["#"] = e => e.Sequence,
            ["Received ▼"] = e => Format.Time(e.Received),
            ["File"] = e => e.FileName,
            ["Mode"] = e => Format.Lower(e.Mode),
            ["Outcome"] = e => Format.Lower(e.Outcome),
            ["Read"] = e => Format.Count(e.RowsRead),
            ["Applied"] = e => Format.Count(e.RowsApplied),
            ["Rejected"] = e => Format.Count(e.RowsRejected),
            ["Reason"] = e => e.Reason ?? string.Empty,
        });
        if (Shown.Count > 0 && Table.Value is null)
        {
            Table.Value = new TableSelection(new System.Drawing.Point(0, 0));
        }

        int applied = _all.Count(e => e.Outcome == FileOutcome.Applied);
        int refused = _all.Count(e => e.Outcome == FileOutcome.Refused);
        int duplicate = _all.Count - applied - refused;
        SetSummary($"{Format.Plural(_all.Count, "file")}: {applied} applied, {refused} refused, {duplicate} duplicate");
    }
}
