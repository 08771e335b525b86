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
    public static readonly KeyMap Keys = new("Everywhere");
    public static readonly KeyAction HelpAction = Keys.Add(Key.F1, "Help", "this help: every key of every screen and dialog (also ? outside a text field)");
    public static readonly KeyAction SearchAction = Keys.Add(Key.F.WithCtrl, "Search", "search this screen; Enter goes back to the table");
    public static readonly KeyAction RefreshAction = Keys.Add(Key.F5, "Refresh", "reload from the data folder");
    public static readonly KeyAction SortAction = Keys.Add(Key.F6, "Sort", "next sort order of this screen (or click a column header)");
    public static readonly KeyAction ClientAction = Keys.Add(Key.F8, "Client", "switch client");
    public static readonly KeyAction QuitAction = Keys.Add(Key.Q.WithCtrl, "Quit", "quit (Esc never quits)");
    public static readonly KeyAction EscAction = Keys.Describe("Esc", "clear the search, back to the table; closes a dialog");
    public static readonly KeyAction MoveAction = Keys.Describe("Tab ↑ ↓ PgUp", "Tab moves between fields; arrows and PgUp/PgDn move in a table or list");
    public static readonly KeyAction MenuAction = Keys.Describe("Alt+letter", "the menu (File, View, Help) and underlined hot keys; the mouse works everywhere");

    public static readonly Key QuitKey = QuitAction.Key;
    public static readonly Key HelpKey = HelpAction.Key;
    public static readonly Key RefreshKey = RefreshAction.Key;
    public static readonly Key SortKey = SortAction.Key;
    public static readonly Key ClientKey = ClientAction.Key;
    public static readonly Key SearchKey = SearchAction.Key;

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

        IReadOnlyList<Shortcut> shortcuts = Keys.Shortcuts(
            (HelpAction, ShowHelp),
            (SearchAction, () => Current.FocusSearch()),
            (RefreshAction, Refresh),
            (SortAction, () => Current.CycleSort()),
            (ClientAction, SwitchClient),
            (QuitAction, Quit));
        var status = new StatusBar(
        [
            shortcuts[0],
            .. ScreenRegistry.All.Select((entry, index) => new Shortcut(entry.Key, entry.Name, () => ShowScreen(index))),
            .. shortcuts.Skip(1),
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
            App?.Keyboard.KeyDown += OnAppKeyDown;
            Refresh();
        }
        else
        {
            App?.Keyboard.KeyDown -= OnAppKeyDown;
        }
    }

    /// <summary>
    /// While no dialog is open: the current screen's own keys (Ctrl+N...), and "?" for help where no text is typed.
    /// They are caught before the views see them, because a table takes printable and some Ctrl keys for itself.
    /// </summary>
    private void OnAppKeyDown(object? sender, Key key)
    {
        if (App?.TopRunnable != this)
        {
            return;
        }

        if (key.AsRune.Value == '?' && !key.IsCtrl && !key.IsAlt && App.Navigation?.GetFocused() is not TextField)
        {
            key.Handled = true;
            ShowHelp();
        }
        else if (Current.HandleKey(key))
        {
            key.Handled = true;
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
        if (App is null || App.TopRunnable is HelpDialog)
        {
            return;
        }

        using var help = new HelpDialog(App.TopRunnable == this ? ScreenRegistry.All[_screens.IndexOf(Current)].Keys : HelpDialog.For(App.TopRunnable));
        App.Run(help);
    }
}
