using Onboarding.Engine.Storage;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Files;

/// <summary>One received file: its outcome, what it changed in each segment and its first rejected rows.</summary>
internal sealed class FileDetailDialog : Dialog
{
    public const int MaxRejectedRows = 50;

    public FileDetailDialog(JournalEntry entry, IReadOnlyList<RejectedRow> rejected, string? reportPath)
    {
        HotKeySpecifier = Views.NoHotKey;
        Title = $"File {entry.FileName}";
        Width = Dim.Percent(90);
        Height = Dim.Percent(85);
        Label summary = Views.DataLabel(
            $"{Format.Lower(entry.Outcome)} ({Format.Lower(entry.Mode)})  ·  rows read {Format.Count(entry.RowsRead)}, applied {Format.Count(entry.RowsApplied)}, rejected {Format.Count(entry.RowsRejected)}  ·  {(entry.Completed - entry.Received).TotalSeconds:0.00} s\n"
                + $"Received {Format.Time(entry.Received)}{(entry.Reason is null ? string.Empty : "\nReason: " + entry.Reason)}");
        var changesLabel = new Label { Y = 4, Text = entry.Changes.Count == 0 ? "Segment changes: none" : "Segment changes:" };
        TableView changes = Views.Table(2, 3, 4, 5);
        changes.Y = 5;
        changes.Height = Dim.Percent(40);
        changes.Table = new EnumerableTableSource<SegmentChange>(entry.Changes, new Dictionary<string, Func<SegmentChange, object>>
            {
                ["Segment"] = c => $"{c.Group}={c.Segment}",
                ["Type"] = c => Format.Type(c.Type),
                ["Version"] = c => c.Version,
                ["Added"] = c => Views.Signed(c.Added, '+'),
                ["Removed"] = c => Views.Signed(c.Removed, '-'),
                ["Size"] = c => Format.Count(c.Size),
            });

        string rejectsTitle = entry.RowsRejected == 0
            ? "Rejected rows: none"
            : reportPath is null
                ? "Rejected rows: the reject report is not in the reports folder"
                : $"Rejected rows (first {Math.Min(rejected.Count, MaxRejectedRows)} of {Format.Count(entry.RowsRejected)}; {reportPath}):";
        Label rejectsLabel = Views.DataLabel(rejectsTitle);
        rejectsLabel.Y = Pos.Bottom(changes) + 1;
        TableView rejects = Views.Table(0);
        rejects.Y = Pos.Bottom(rejectsLabel);
        rejects.Height = Dim.Fill(1);
        rejects.Table = new EnumerableTableSource<RejectedRow>(rejected, new Dictionary<string, Func<RejectedRow, object>>
            {
                ["Line"] = r => r.Line,
                ["Column"] = r => r.ColumnName.Length == 0 ? "(row)" : r.ColumnName,
                ["Reason"] = r => r.Reason,
                ["Value"] = r => r.Value,
            });
        Add(summary, changesLabel, changes, rejectsLabel, rejects);
        AddButton(new Button { Text = "_Close", IsDefault = true });
    }
}
