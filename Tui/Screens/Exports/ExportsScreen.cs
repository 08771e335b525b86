using Onboarding.Engine.Exports;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Exports;

/// <summary>
/// Manage exports: the client's export configurations, their run history, destinations and encryptions, each a tab
/// with the product's columns. Actions act on the selected row of the tab shown: new/edit an export in the builder,
/// activate, pause, cancel (after a confirmation), run now (off the UI thread; the history reloads while it runs),
/// add, test and remove destinations, add and remove encryptions.
/// </summary>
internal sealed class ExportsScreen : Screen
{
    public static readonly KeyMap Keys = new("Manage exports screen");
    public static readonly KeyAction NewKey = Keys.Add(Key.N.WithCtrl, "New", "new export (Configuration tab), destination (Destinations tab) or encryption (Encryptions tab)");
    public static readonly KeyAction EditKey = Keys.Add(Key.E.WithCtrl, "Edit", "edit the selected export in the builder (or Enter on it)");
    public static readonly KeyAction ActivateKey = Keys.Add(Key.A.WithCtrl, "Activate", "activate the selected export: the scheduler runs it");
    public static readonly KeyAction PauseKey = Keys.Add(Key.P.WithCtrl, "Pause", "pause the selected export");
    public static readonly KeyAction CancelKey = Keys.Add(Key.X.WithCtrl, "Cancel export", "cancel the selected export for good, after a confirmation (its history stays)");
    public static readonly KeyAction RunKey = Keys.Add(Key.R.WithCtrl, "Run now", "run the selected export now; the History tab follows it");
    public static readonly KeyAction TestKey = Keys.Add(Key.T.WithCtrl, "Test", "test the selected destination: connect, write and delete a small file");
    public static readonly KeyAction RemoveKey = Keys.Add(Key.Delete, "Remove", "remove the selected destination or encryption, after a confirmation");
    public static readonly KeyAction TabsKey = Keys.Describe("Alt+C Alt+S Alt+D Alt+E", "the Configuration / hiStory / Destinations / Encryptions tab; Tab moves into it");

    /// <summary>How often the history reloads while a run started here is going.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    private readonly Label _status;
    private int _running;

    public ExportsScreen(TuiSession session)
        : base(session)
    {
        Title = "Manage exports";
        ConfigurationTable = Views.Table();
        ExportColumns.Narrow(ConfigurationTable, 30, 3, 6);
        HistoryTable = Views.Table(6);
        ExportColumns.Narrow(HistoryTable, 20, 7, 8, 10);
        DestinationsTable = Views.Table();
        EncryptionsTable = Views.Table();
        ConfigurationTab = Tab("_Configuration", ConfigurationTable);
        HistoryTab = Tab("Hi_story", HistoryTable);
        DestinationsTab = Tab("_Destinations", DestinationsTable);
        EncryptionsTab = Tab("_Encryptions", EncryptionsTable);
        Tabs = new Tabs { Width = Dim.Fill(), Height = Dim.Fill(2) };
        Tabs.Add(ConfigurationTab, HistoryTab, DestinationsTab, EncryptionsTab);
        Label hint = Views.DataLabel(string.Join(" · ", Keys.Actions.Where(a => a.Bound).Select(a => $"{a.Key}: {a.Name.ToLowerInvariant()}")));
        hint.Y = Pos.AnchorEnd(2);
        _status = Views.DataLabel(string.Empty);
        _status.Y = Pos.AnchorEnd(1);
        Add(Tabs, hint, _status);

        ConfigurationTable.Accepting += (_, e) =>
        {
            Edit();
            e.Handled = true;
        };
        BindKeys(Keys.Dispatch(
            (NewKey, New),
            (EditKey, Edit),
            (ActivateKey, () => Change((service, name) => service.Activate(name), "activated")),
            (PauseKey, () => Change((service, name) => service.Pause(name), "paused")),
            (CancelKey, ConfirmAndCancel),
            (RunKey, RunNow),
            (TestKey, TestDestination),
            (RemoveKey, Remove)));
    }

    public Tabs Tabs { get; }

    public View ConfigurationTab { get; }

    public View HistoryTab { get; }

    public View DestinationsTab { get; }

    public View EncryptionsTab { get; }

    public TableView ConfigurationTable { get; }

    public TableView HistoryTable { get; }

    public TableView DestinationsTable { get; }

    public TableView EncryptionsTable { get; }

    /// <summary>What the tabs show.</summary>
    public ExportsOverview Shown { get; private set; } = ExportsOverview.Empty;

    /// <summary>The result or problem of the last action (and the progress of a run).</summary>
    public string Status => _status.Text;

    public override async Task RefreshAsync()
    {
        string client = Session.Client;
        ExportsOverview overview = await Session.Engine.RunAsync(data => ExportsOverview.Load(data, client)).ConfigureAwait(false);
        OnUiThread(() =>
        {
            if (client == Session.Client)
            {
                Show(overview);
            }
        });
    }

    /// <summary>Exports change outside this screen (the scheduler, the CLI), so showing it reloads them.</summary>
    public override void Activate()
    {
        (Tabs.Value as View ?? ConfigurationTab).SubViews.FirstOrDefault()?.SetFocus();
        Start(RefreshAsync);
    }

    /// <summary>Selects a row of the Configuration tab by export name (for tests and after a save).</summary>
    public void SelectExport(string name) => Select(ConfigurationTable, Shown.Exports.ToList().FindIndex(e => e.Name == name));

    public void SelectDestination(string name) => Select(DestinationsTable, Shown.Destinations.ToList().FindIndex(d => d.Name == name));

    public void SelectEncryption(string name) => Select(EncryptionsTable, Shown.Encryptions.ToList().FindIndex(e => e.Name == name));

    public void New()
    {
        if (Tabs.Value == DestinationsTab)
        {
            using var dialog = new DestinationDialog(Session);
            App?.Run(dialog);
            Report(dialog.Saved is { } saved ? $"Destination \"{saved.Name}\" added: {saved.Display}." : null);
        }
        else if (Tabs.Value == EncryptionsTab)
        {
            using var dialog = new EncryptionDialog(Session);
            App?.Run(dialog);
            Report(dialog.Saved is { } saved ? $"Encryption \"{saved.Name}\" added: {string.Join("; ", saved.Recipients.Select(r => r.UserId))}." : null);
        }
        else
        {
            OpenBuilder(null);
        }
    }

    public void Edit()
    {
        if (Pick(ConfigurationTable, Shown.Exports) is { } export)
        {
            OpenBuilder(export);
        }
    }

    private void OpenBuilder(ExportConfiguration? export)
    {
        using var builder = new ExportBuilderDialog(Session, export, audience: null);
        App?.Run(builder);
        Report(builder.Saved is { } saved ? $"Export \"{saved.Name}\" saved ({Format.Lower(saved.State)}): {saved.Schedule.Describe()}." : null);
    }

    private void Change(Func<ExportService, string, ExportConfiguration> change, string done)
    {
        if (Pick(ConfigurationTable, Shown.Exports) is not { } export)
        {
            return;
        }

        string client = Session.Client;
        Act(async () =>
        {
            await Session.Engine.RunAsync(data => change(ExportsOverview.Service(data, client), export.Name)).ConfigureAwait(false);
            OnUiThread(() => Report($"Export \"{export.Name}\" {done}."));
        });
    }

    private void ConfirmAndCancel()
    {
        if (Pick(ConfigurationTable, Shown.Exports) is not { } export || App is null)
        {
            return;
        }

        int? answer = MessageBox.Query(
            App, "Cancel export", $"Cancel export \"{export.Name}\" for good? It never runs again and cannot be changed; its history stays.", "_No", "_Yes, cancel it");
        if (answer == 1)
        {
            Change((service, name) => service.Cancel(name), "canceled");
        }
    }

    /// <summary>Runs the selected export off the UI thread; the History tab shows it and reloads until it ends.</summary>
    private void RunNow()
    {
        if (Pick(ConfigurationTable, Shown.Exports) is not { } export)
        {
            return;
        }

        string client = Session.Client;
        _status.Text = $"running export \"{export.Name}\"…";
        Tabs.Value = HistoryTab;
        Interlocked.Increment(ref _running);
        FollowProgress();
        Act(async () =>
        {
            try
            {
                ExportRun run = await Session.Engine.RunExportAsync(client, export.Name).ConfigureAwait(false);
                OnUiThread(() => Report(run.State == ExportRunState.Complete
                    ? $"Export \"{export.Name}\" complete: {Format.Plural(run.Rows, "row")} in {run.FileName} at {run.Destination}."
                    : $"Export \"{export.Name}\" {ExportColumns.State(run.State)}: {run.Error}"));
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        });
    }

    /// <summary>Reloads the history every <see cref="ProgressInterval"/> while a run started here is going.</summary>
    private void FollowProgress() => App?.AddTimeout(ProgressInterval, () =>
    {
        if (Volatile.Read(ref _running) == 0)
        {
            return false;
        }

        Start(RefreshAsync);
        return true;
    });

    private void TestDestination()
    {
        if (Pick(DestinationsTable, Shown.Destinations) is not { } destination)
        {
            _status.Text = "Select a destination on the Destinations tab to test it.";
            return;
        }

        string client = Session.Client;
        _status.Text = $"testing destination \"{destination.Name}\"…";
        Act(async () =>
        {
            DestinationTestResult result = await Session.Engine.RunAsync(
                data => ExportsOverview.Service(data, client).TestDestinationAsync(destination.Name, CancellationToken.None).GetAwaiter().GetResult()).ConfigureAwait(false);
            OnUiThread(() =>
            {
                string steps = string.Join("\n", result.Steps.Select(s => "✓ " + s));
                string outcome = result.Succeeded ? "The destination works." : "✗ " + result.Error;
                _status.Text = $"Destination \"{destination.Name}\": {(result.Succeeded ? "works" : "failed: " + result.Error)}";
                if (App is not null)
                {
                    MessageBox.Query(App, $"Test of {destination.Name} ({result.Destination})", $"{steps}\n{outcome}".Trim(), "_OK");
                }
            });
        });
    }

    private void Remove()
    {
        string client = Session.Client;
        if (Tabs.Value == DestinationsTab && Pick(DestinationsTable, Shown.Destinations) is { } destination && Confirm("destination", destination.Name))
        {
            Act(async () =>
            {
                await Session.Engine.RunAsync(data =>
                {
                    ExportsOverview.Service(data, client).RemoveDestination(destination.Name);
                    return true;
                }).ConfigureAwait(false);
                OnUiThread(() => Report($"Destination \"{destination.Name}\" removed."));
            });
        }
        else if (Tabs.Value == EncryptionsTab && Pick(EncryptionsTable, Shown.Encryptions) is { } encryption && Confirm("encryption", encryption.Name))
        {
            Act(async () =>
            {
                await Session.Engine.RunAsync(data =>
                {
                    ExportsOverview.Service(data, client).RemoveEncryption(encryption.Name);
                    return true;
                }).ConfigureAwait(false);
                OnUiThread(() => Report($"Encryption \"{encryption.Name}\" removed."));
            });
        }
    }

    /// <summary>Starts an action off the UI thread; its problem (what and where, from the engine) goes to the status line.</summary>
    private void Act(Func<Task> work) => this.Start(work, problem =>
    {
        _status.Text = problem.Message;
        Start(RefreshAsync);
    });

    private bool Confirm(string what, string name) =>
        App is not null && MessageBox.Query(App, $"Remove {what}", $"Remove {what} \"{name}\"?", "_No", "_Yes, remove it") == 1;

    /// <summary>Shows the outcome of an action (none: nothing was done) and reloads.</summary>
    private void Report(string? outcome)
    {
        if (outcome is not null)
        {
            _status.Text = outcome;
        }

        Start(RefreshAsync);
    }

    private void Show(ExportsOverview overview)
    {
        Shown = overview;
        ConfigurationTable.Table = ExportColumns.Configurations(overview.Exports, overview.Destinations);
        HistoryTable.Table = ExportColumns.Runs(overview.Runs, overview.Exports);
        DestinationsTable.Table = ExportColumns.Destinations(overview.Destinations);
        EncryptionsTable.Table = ExportColumns.Encryptions(overview.Encryptions);
        foreach ((TableView table, int rows) in new[] { (ConfigurationTable, overview.Exports.Count), (HistoryTable, overview.Runs.Count), (DestinationsTable, overview.Destinations.Count), (EncryptionsTable, overview.Encryptions.Count) })
        {
            if (table.Value is null || table.Value.SelectedCell.Y >= rows)
            {
                Select(table, rows > 0 ? 0 : -1);
            }
        }

        int active = overview.Exports.Count(e => e.State == ExportState.Active);
        SetSummary($"{Format.Plural(overview.Exports.Count, "export")}, {Format.Count(active)} active, {Format.Plural(overview.Runs.Count, "run")}");
    }

    private static View Tab(string title, TableView table)
    {
        table.Height = Dim.Fill();
        var tab = new View { Title = title, Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        tab.Add(table);
        return tab;
    }

    private static T? Pick<T>(TableView table, IReadOnlyList<T> rows)
        where T : class =>
        table.Value?.SelectedCell.Y is { } row && row >= 0 && row < rows.Count ? rows[row] : null;

    private static void Select(TableView table, int row)
    {
        if (row >= 0)
        {
            table.Value = new TableSelection(new System.Drawing.Point(0, row));
        }
    }
}
