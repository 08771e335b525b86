using Onboarding.Tui.Screens;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Shell;

/// <summary>
/// A screen that is a searchable table: a search box (Ctrl+F; Enter goes back to the table, Esc clears it), a
/// hint beside it, and the table, where Enter or a double-click opens the selected row.
/// </summary>
internal abstract class TableScreen<TRow> : Screen
    where TRow : class
{
    protected TableScreen(TuiSession session, string title, params int[] numericColumns)
        : base(session)
    {
        Title = title;
        var searchLabel = new Label { Text = "_Search:" };
        Search = new TextField { X = Pos.Right(searchLabel) + 1, Width = 30 };
        Hint = new Label { X = Pos.Right(Search) + 2 };
        Table = Views.Table(numericColumns);
        Table.Y = 2;
        Table.Height = Dim.Fill();
        Add(searchLabel, Search, Hint, Table);

        Search.ValueChanged += (_, _) => OnSearchChanged();
        Search.Accepting += (_, e) =>
        {
            Table.SetFocus();
            e.Handled = true;
        };
        Table.Accepting += (_, e) =>
        {
            OpenSelected();
            e.Handled = true;
        };
    }

    /// <summary>The rows as shown, after search and sort.</summary>
    public IReadOnlyList<TRow> Shown { get; protected set; } = [];

    public string SearchText
    {
        get => Search.Value ?? string.Empty;
        set => Search.Value = value;
    }

    protected TextField Search { get; }

    protected Label Hint { get; }

    protected TableView Table { get; }

    /// <summary>The selected row, if the cursor is on one.</summary>
    protected TRow? Selected =>
        Table.Value?.SelectedCell.Y is { } row && row >= 0 && row < Shown.Count ? Shown[row] : null;

    /// <summary>Opens the selected row (Enter or double-click).</summary>
    public void OpenSelected()
    {
        if (Selected is { } row)
        {
            Open(row);
        }
    }

    public override void FocusSearch() => Search.SetFocus();

    public override void Activate() => Table.SetFocus();

    public override bool Back()
    {
        if (Search.HasFocus || SearchText.Length > 0)
        {
            SearchText = string.Empty;
            Table.SetFocus();
            return true;
        }

        return false;
    }

    protected abstract void Open(TRow row);

    protected abstract void OnSearchChanged();
}
