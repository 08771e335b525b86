using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Storage;
using Onboarding.Tui.Hosting;
using Onboarding.Tui.Shell;
using Onboarding.Watcher.Hosting;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;

namespace Onboarding.Tui.Tests;

/// <summary>Runs an action when disposed.</summary>
internal sealed class Closing(Action close) : IDisposable
{
    public void Dispose() => close();
}

/// <summary>
/// The real main window and the TUI's real host (the watcher's services, in this process) over a temporary data
/// folder and inbox, driven headless: Terminal.Gui's ANSI driver renders to memory and keys are injected. The window
/// opens once every file written into the inbox before the start was processed or failed.
/// </summary>
internal sealed class TuiHarness : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly SessionToken _token;

    private TuiHarness(Action<string> writeInbox, string client)
    {
        Inbox = Path.Combine(_folder.Path, "inbox");
        writeInbox(Inbox);
        int written = Directory.Exists(Inbox) ? Directory.GetFiles(Inbox, "*.csv", SearchOption.AllDirectories).Length : 0;
        Data = DataFolder.Open(Path.Combine(_folder.Path, "data"));
        var options = new TuiOptions { DataPath = Data.Path, InboxPath = Inbox, Client = client };
        Host = TuiHost.Build(options, Data, NullLoggerProvider.Instance, watcher =>
        {
            watcher.Inbox.SettlePeriod = TimeSpan.FromMilliseconds(200);
            watcher.Inbox.RescanInterval = TimeSpan.FromSeconds(1);
        });
        Engine = new EngineAccess(Data, Host.Services.GetRequiredService<ClientWriteLocks>(), Host.Services.GetRequiredService<WatcherOptions>().Clients);
        Watcher = Host.Services.GetRequiredService<WatcherStatus>();
        Host.StartAsync().GetAwaiter().GetResult();
        WaitForFiles(written);

        App = Application.Create().Init(DriverRegistry.Names.ANSI);
        App.Driver!.SetScreenSize(140, 40);
        Session = new TuiSession(Engine, Watcher, client);
        Window = new MainWindow(Session);
        _token = App.Begin(Window)!;
        Window.RefreshAllAsync().GetAwaiter().GetResult();
        Pump();
    }

    public IApplication App { get; }

    public DataFolder Data { get; }

    public IHost Host { get; }

    public EngineAccess Engine { get; }

    public WatcherStatus Watcher { get; }

    public TuiSession Session { get; }

    public MainWindow Window { get; }

    public string Inbox { get; }

    public string DataPath => Data.Path;

    /// <summary>The screen as plain text, one line per row.</summary>
    public string Screen
    {
        get
        {
            App.LayoutAndDraw(true);
            return App.Driver!.ToString() ?? string.Empty;
        }
    }

    public static TuiHarness Start(Action<string>? writeInbox = null, string client = DataFolder.DefaultClient) =>
        new(writeInbox ?? (inbox => SampleInbox.Write(inbox)), client);

    /// <summary>Runs engine work the way the screens do (serialized, off the UI thread) and waits for it.</summary>
    public T OnEngine<T>(Func<DataFolder, T> work) => Engine.RunAsync(work).GetAwaiter().GetResult();

    /// <summary>Waits until the watcher has finished (processed or failed) <paramref name="count"/> received files.</summary>
    public void WaitForFiles(int count)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ReceivedFile> files = [];
        while ((files = OnEngine(d => d.Catalog.ReceivedFiles())).Count(f => f.State is ReceivedFileState.Processed or ReceivedFileState.Failed) < count)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the watcher finished {files.Count(f => f.State is ReceivedFileState.Processed or ReceivedFileState.Failed)} of {count} files: {string.Join(", ", files.Select(f => $"{f.Name} {f.State} {f.Reason}"))}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Runs what background work queued for the UI thread, and draws.</summary>
    public void Pump()
    {
        App.TimedEvents!.RunTimers();
        App.LayoutAndDraw();
    }

    /// <summary>Pumps the UI until <paramref name="condition"/> holds; fails after a few seconds.</summary>
    public void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Fail($"timed out waiting for {what}; the screen:\n{Screen}");
            }

            Thread.Sleep(10);
            Pump();
        }
    }

    public void Press(Key key)
    {
        if (key == Key.Esc)
        {
            // The ANSI input parser holds a lone Esc back (it may start a sequence), so raise it directly.
            App.Keyboard.RaiseKeyDownEvent(key);
        }
        else
        {
            App.InjectKey(key);
        }

        Pump();
    }

    public void Type(string text)
    {
        foreach (char c in text)
        {
            App.InjectKey(new Key(c));
        }

        Pump();
    }

    /// <summary>
    /// Does <paramref name="open"/>, which opens a modal dialog of type <typeparamref name="T"/> (a nested loop), and
    /// returns the screen text once it was open and <paramref name="ready"/>; the dialog is then closed.
    /// </summary>
    public string WithDialog<T>(Action open, Func<T, bool>? ready = null)
        where T : Terminal.Gui.Views.Dialog
    {
        Func<string?> seen = WhenOpen<T>(_ => { }, ready);
        open();
        WaitUntil(() => seen() is not null, $"a {typeof(T).Name}");
        return seen()!;
    }

    /// <summary>
    /// Shows <paramref name="dialog"/> without a nested loop (as the app shows a dialog, but the test keeps control);
    /// dispose the result to close it (the caller disposes the dialog).
    /// </summary>
    public IDisposable Show(Terminal.Gui.Views.Dialog dialog)
    {
        SessionToken token = App.Begin(dialog)!;
        Pump();
        return new Closing(() => App.End(token));
    }

    /// <summary>
    /// Arranges for <paramref name="answer"/> to run on the next modal dialog of type <typeparamref name="T"/> (a nested
    /// loop, e.g. a picker or a confirmation) once it is open, with its screen text; the dialog is closed afterwards
    /// unless the answer closed it. Returns what was seen, for asserting once the action is done.
    /// </summary>
    public Func<string> Answer<T>(Action<T> answer, Func<T, bool>? ready = null)
        where T : Terminal.Gui.Views.Dialog
    {
        Func<string?> seen = WhenOpen(answer, ready);
        return () => seen() ?? throw new InvalidOperationException($"no {typeof(T).Name} was answered");
    }

    private Func<string?> WhenOpen<T>(Action<T> answer, Func<T, bool>? ready)
        where T : Terminal.Gui.Views.Dialog
    {
        string? seen = null;
        var clock = Stopwatch.StartNew();
        App.AddTimeout(TimeSpan.FromMilliseconds(20), () =>
        {
            if (App.TopRunnable is T dialog && (ready?.Invoke(dialog) ?? true))
            {
                seen = Screen;
                answer(dialog);
                if (App.TopRunnable == dialog)
                {
                    dialog.RequestStop();
                }

                return false;
            }

            return clock.Elapsed < TimeSpan.FromSeconds(10);
        });
        return () => seen;
    }

    /// <summary>Presses a button of a dialog by its text (without the hot key underscore).</summary>
    public static void Click(Terminal.Gui.ViewBase.View dialog, string button)
    {
        Terminal.Gui.Views.Button target = Descendants(dialog).OfType<Terminal.Gui.Views.Button>()
            .First(b => b.Text.Replace("_", string.Empty, StringComparison.Ordinal) == button);
        target.InvokeCommand(Command.Accept);
    }

    private static IEnumerable<Terminal.Gui.ViewBase.View> Descendants(Terminal.Gui.ViewBase.View view) =>
        view.SubViews.Concat(Adorning(view.Padding)).Concat(Adorning(view.Border)).SelectMany(v => Descendants(v).Prepend(v));

    private static IEnumerable<Terminal.Gui.ViewBase.View> Adorning(object? adornment) =>
        adornment is Terminal.Gui.ViewBase.IAdornment { View: Terminal.Gui.ViewBase.View view } ? view.SubViews : [];

    public void Dispose()
    {
        App.End(_token);
        Window.Dispose();
        App.Dispose();
        Host.StopAsync().GetAwaiter().GetResult();
        Host.Dispose();
        Engine.Dispose();
        Data.Dispose();
        _folder.Dispose();
    }
}
