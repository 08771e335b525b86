using Onboarding.Engine.Inbox;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Shell;

/// <summary>
/// The application shell: menu bar, the screen area (one screen shown at a time, switched by F-keys), a status
/// line (client, the screen's totals, the watcher's state) and the status bar of shortcuts.
/// </summary>
internal sealed class MainWindow : Window
{
    public static readonly Key QuitKey = Key.Q.WithCtrl;
    public static readonly Key HelpKey = Key.F1;
    public static readonly Key RefreshKey = Key.F5;
    public static readonly Key SortKey = Key.F6;
    public static readonly Key ClientKey = Key.F8;
    public static readonly Key SearchKey = Key.F.WithCtrl;

    private readonly TuiSession _session;
    private readonly View _content;
    private readonly Label _statusLine;
    private readonly List<Screen> _screens = [];
    private bool _quitting;

    public MainWindow(TuiSession session)
    {
        _session = session;
        BorderStyle = Terminal.Gui.Drawing.LineStyle.None;
        Title = "Onboarding";
        var menu = new MenuBar(
        [
            new MenuBarItem("_File",
            [
                new MenuItem("_Client…", "Switch client", SwitchClient, ClientKey),
                new MenuItem("_Refresh", "Reload the screen", Refresh, RefreshKey),
                new MenuItem("_Quit", "Leave Onboarding", Quit, QuitKey),
            ]),
            new MenuBarItem("_View",
            [
                .. ScreenRegistry.All.Select((entry, index) => new MenuItem(entry.Title, string.Empty, () => ShowScreen(index), entry.Key)),
                new MenuItem("S_ort", "Next sort order", () => Current.CycleSort(), SortKey),
                new MenuItem("Searc_h", "Search this screen", () => Current.FocusSearch(), SearchKey),
            ]),
            new MenuBarItem("_Help", [new MenuItem("_Keys", "Every key", ShowHelp, HelpKey)]),
        ]);
        _content = new View { Y = 1, Width = Dim.Fill(), Height = Dim.Fill(2), CanFocus = true };
        _statusLine = new Label { Y = Pos.AnchorEnd(2), Width = Dim.Fill(), HotKeySpecifier = Onboarding.Tui.Screens.Views.NoHotKey };
        foreach (ScreenEntry entry in ScreenRegistry.All)
        {
            Screen screen = entry.Create(session);
            screen.Visible = false;
            screen.SummaryChanged += UpdateStatus;
            _screens.Add(screen);
            _content.Add(screen);
        }

        var status = new StatusBar(
        [
            new Shortcut(HelpKey, "Help", ShowHelp),
            .. ScreenRegistry.All.Select((entry, index) => new Shortcut(entry.Key, entry.Name, () => ShowScreen(index))),
            new Shortcut(SearchKey, "Search", () => Current.FocusSearch()),
            new Shortcut(RefreshKey, "Refresh", Refresh),
            new Shortcut(SortKey, "Sort", () => Current.CycleSort()),
            new Shortcut(ClientKey, "Client", SwitchClient),
            new Shortcut(QuitKey, "Quit", Quit),
        ]);
        foreach (Shortcut shortcut in status.SubViews.OfType<Shortcut>())
        {
            // Keys work wherever the focus is, also right after a dialog closed.
            shortcut.BindKeyToApplication = true;
        }

        Add(menu, _content, _statusLine, status);

        session.ClientChanged += () =>
        {
            UpdateStatus();
            Refresh();
        };
        session.Watcher.Changed += OnWatcherChanged;
        session.Watcher.FileChanged += OnWatcherFileChanged;
        ShowScreen(0);
    }

    public IReadOnlyList<Screen> Screens => _screens;

    public Screen Current { get; private set; } = null!;

    public string StatusText => _statusLine.Text;

    /// <summary>Shows the screen at <paramref name="index"/> of <see cref="ScreenRegistry.All"/>.</summary>
    public void ShowScreen(int index)
    {
        Screen next = _screens[index];
        foreach (Screen screen in _screens)
        {
            screen.Visible = screen == next;
        }

        Current = next;
        Title = $"Onboarding · {next.Title}";
        next.Activate();
        UpdateStatus();
    }

    /// <summary>Reloads every screen from the engine (F5; also on start, on client switch and when a received file of the client changes).</summary>
    public void Refresh()
    {
        foreach (Screen screen in _screens)
        {
            _ = screen.RefreshAsync();
        }
    }

    /// <summary>Reloads every screen and completes when they have their data (tests wait on it).</summary>
    public Task RefreshAllAsync() => Task.WhenAll(_screens.Select(s => s.RefreshAsync()));

    public void Quit()
    {
        _quitting = true;
        App?.RequestStop(this);
    }

    protected override void OnIsRunningChanged(bool newIsRunning)
    {
        base.OnIsRunningChanged(newIsRunning);
        if (newIsRunning)
        {
            // A steady tick keeps the main loop turning while the operator is idle, so work queued from
            // background threads (App.Invoke) and a lone Esc are handled without waiting for the next key.
            App?.AddTimeout(TimeSpan.FromMilliseconds(100), () => true);
            Refresh();
        }
    }

    /// <summary>Esc goes back (clears the search, returns to the table); it never quits the main window.</summary>
    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.Esc)
        {
            Current.Back();
            return true;
        }

        return base.OnKeyDown(key);
    }

    /// <summary>Esc never quits the main window (operators press it to leave a search); Ctrl+Q does.</summary>
    protected override bool OnIsRunningChanging(bool oldIsRunning, bool newIsRunning)
    {
        if (oldIsRunning && !newIsRunning && !_quitting)
        {
            Current.Back();
            return true;
        }

        return base.OnIsRunningChanging(oldIsRunning, newIsRunning);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The watcher outlives the window while the host stops.
            _session.Watcher.Changed -= OnWatcherChanged;
            _session.Watcher.FileChanged -= OnWatcherFileChanged;
        }

        base.Dispose(disposing);
    }

    private void OnWatcherChanged() => App?.Invoke(UpdateStatus);

    private void OnWatcherFileChanged(ReceivedFile file) => App?.Invoke(() => OnFileChanged(file));

    private void OnFileChanged(ReceivedFile file)
    {
        if (file.Client == _session.Client)
        {
            Refresh();
        }
    }

    private void UpdateStatus()
    {
        if (Current is null)
        {
            return;
        }

        _statusLine.Text = $" client: {_session.Client}  │  {Current.Summary}  │  {_session.Watcher.Text}";
    }

    private void SwitchClient()
    {
        string current = _session.Client;
        _ = SwitchClientAsync(current);
    }

    private async Task SwitchClientAsync(string current)
    {
        IReadOnlyList<string> clients = await _session.Engine.RunAsync(data => data.Clients).ConfigureAwait(false);
        App?.Invoke(() =>
        {
            using var picker = new ClientPickerDialog(clients.Contains(current) ? clients : [current, .. clients], current);
            App.Run(picker);
            if (picker.Picked is { } picked)
            {
                _session.Client = picked;
            }
        });
    }

    private void ShowHelp()
    {
        using var help = new HelpDialog();
        App?.Run(help);
    }
}
