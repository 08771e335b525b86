using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens;

/// <summary>"from: [yyyy-MM-dd] to: [yyyy-MM-dd]" on one line; Enter in either field applies the range.</summary>
internal sealed class DateRangeFields : View
{
    private readonly TextField _from;
    private readonly TextField _to;

    public DateRangeFields(string title)
    {
        Width = Dim.Fill();
        Height = 1;
        CanFocus = true;
        var fromLabel = new Label { Text = $"{title}from:" };
        _from = new TextField { X = Pos.Right(fromLabel) + 1, Width = 12 };
        var toLabel = new Label { X = Pos.Right(_from) + 1, Text = "to:" };
        _to = new TextField { X = Pos.Right(toLabel) + 1, Width = 12 };
        var hint = new Label { X = Pos.Right(_to) + 2, Text = "(yyyy-MM-dd, Enter applies)" };
        Add(fromLabel, _from, toLabel, _to, hint);
        _from.Accepting += OnAccepting;
        _to.Accepting += OnAccepting;
    }

    /// <summary>Enter was pressed in a field.</summary>
    public event Action? Applied;

    public string From
    {
        get => _from.Text;
        set => _from.Text = value;
    }

    public string To
    {
        get => _to.Text;
        set => _to.Text = value;
    }

    /// <summary>Reads the dates; an empty field is an open end (null). The problem names the field at fault.</summary>
    public bool TryRead(out DateOnly? from, out DateOnly? to, out string problem)
    {
        to = null;
        return TryRead(_from.Text, "From", out from, out problem) && TryRead(_to.Text, "To", out to, out problem);
    }

    private static bool TryRead(string text, string field, out DateOnly? date, out string problem)
    {
        date = null;
        problem = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (!Format.TryParseDate(text, field, out DateOnly parsed, out problem))
        {
            return false;
        }

        date = parsed;
        return true;
    }

    private void OnAccepting(object? sender, Terminal.Gui.Input.CommandEventArgs e)
    {
        Applied?.Invoke();
        e.Handled = true;
    }
}
