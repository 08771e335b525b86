using System.Collections.ObjectModel;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Shell;

/// <summary>Picks the client whose segments and files the screens show (a data folder holds several).</summary>
internal sealed class ClientPickerDialog : Dialog
{
    private readonly IReadOnlyList<string> _clients;
    private readonly ListView _list;

    public ClientPickerDialog(IReadOnlyList<string> clients, string current)
    {
        _clients = clients;
        Title = "Switch client";
        Width = 40;
        Height = Math.Min(clients.Count, 12) + 6;
        _list = new ListView { Width = Dim.Fill(), Height = Dim.Fill(1) };
        _list.SetSource(new ObservableCollection<string>(clients));
        _list.Value = Math.Max(0, clients.ToList().IndexOf(current));
        Add(_list);
        AddButton(new Button { Text = "_Cancel" });
        AddButton(new Button { Text = "_Switch", IsDefault = true });
    }

    /// <summary>The client picked, or null when cancelled.</summary>
    public string? Picked => Result == 1 && _list.Value is { } index && index >= 0 && index < _clients.Count ? _clients[index] : null;
}
