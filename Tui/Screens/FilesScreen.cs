using Onboarding.Engine.Storage;
using Onboarding.Tui.Shell;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens;

/// <summary>
/// "Ingestion": the files the client sent, newest first, with their outcome (applied, refused, duplicate), the
/// reason, rows read/applied/rejected and when; Enter shows the per-segment changes and the first rejected rows.
/// </summary>
internal sealed class FilesScreen : Screen
{
    private readonly TextField _search;
    private readonly TableView _table;
    private IReadOnlyList<JournalEntry> _all = [];

    public FilesScreen(TuiSession session)
        : base(session)
    {
        Title = "Ingestion";
        var searchLabel = new Label { Text = "_Search:" };
        _search = new TextField { X = Pos.Right(searchLabel) + 1, Width = 30 };
        var hint = new Label { X = Pos.Right(_search) + 2, Text = "Enter: changes and rejected rows" };
        _table = Views.Table(0, 5, 6, 7);
        _table.Y = 2;
        _table.Height = Dim.Fill();

        Add(searchLabel, _search, hint, _table);
        _search.ValueChanged += (_, _) => Show();
        _search.Accepting += (_, e) =>
        {
            _table.SetFocus();
            e.Handled = true;
        };
        _table.Accepting += (_, e) =>
        {
            OpenSelected();
            e.Handled = true;
        };
        Show();
    }

    /// <summary>The rows as shown, newest first, after search.</summary>
    public IReadOnlyList<JournalEntry> Shown { get; private set; } = [];

    public string SearchText
    {
        get => _search.Value ?? string.Empty;
        set => _search.Value = value;
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

    public override void FocusSearch() => _search.SetFocus();

    public override void Activate() => _table.SetFocus();

    public override bool Back()
    {
        if (_search.HasFocus || SearchText.Length > 0)
        {
            SearchText = string.Empty;
            _table.SetFocus();
            return true;
        }

        return false;
    }

    /// <summary>Opens the selected file's changes and rejected rows (Enter or double-click).</summary>
    public void OpenSelected()
    {
        if (_table.Value?.SelectedCell.Y is not { } row || row < 0 || row >= Shown.Count)
        {
            return;
        }

        JournalEntry entry = Shown[row];
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
        _table.Table = new EnumerableTableSource<JournalEntry>(Shown, new Dictionary<string, Func<JournalEntry, object>>
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
        if (Shown.Count > 0 && _table.Value is null)
        {
            _table.Value = new TableSelection(new System.Drawing.Point(0, 0));
        }

        int applied = _all.Count(e => e.Outcome == FileOutcome.Applied);
        int refused = _all.Count(e => e.Outcome == FileOutcome.Refused);
        int duplicate = _all.Count - applied - refused;
        SetSummary($"{Format.Plural(_all.Count, "file")}: {applied} applied, {refused} refused, {duplicate} duplicate");
    }
}
