using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;

namespace Onboarding.Tui.Shell;

/// <summary>
/// One screen of the main window (segments, ingestion, and later audiences and exports). It loads its data
/// from the engine off the UI thread and shows it on the UI thread.
/// </summary>
internal abstract class Screen : View
{
    private IReadOnlyDictionary<Key, Action> _keys = new Dictionary<Key, Action>();

    protected Screen(TuiSession session)
    {
        Session = session;
        Width = Dim.Fill();
        Height = Dim.Fill();
        CanFocus = true;
    }

    /// <summary>Raised on the UI thread when <see cref="Summary"/> changed.</summary>
    public event Action? SummaryChanged;

    /// <summary>Totals for the status line, e.g. "7 segments".</summary>
    public string Summary { get; private set; } = string.Empty;

    protected TuiSession Session { get; }

    /// <summary>Loads the screen's data again (from the engine, off the UI thread).</summary>
    public abstract Task RefreshAsync();

    /// <summary>Puts the focus where the operator works on this screen (its table) when the screen is shown.</summary>
    public virtual void Activate() => SetFocus();

    /// <summary>Moves to the next sort order (F6).</summary>
    public virtual void CycleSort()
    {
    }

    /// <summary>Puts the cursor in the screen's search box (Ctrl+F).</summary>
    public virtual void FocusSearch()
    {
    }

    /// <summary>Esc: clears the search, or goes back to the table. Returns false when there was nothing to do.</summary>
    public virtual bool Back() => false;

    /// <summary>The screen's own keys (from its <see cref="KeyMap.Dispatch"/>).</summary>
    protected void BindKeys(IReadOnlyDictionary<Key, Action> keys) => _keys = keys;

    /// <summary>
    /// Runs the screen's action for <paramref name="key"/>, if it has one. The main window calls it before the views
    /// see the key, so the screen's keys work wherever the focus is (also right after a dialog closed).
    /// </summary>
    public bool HandleKey(Key key)
    {
        if (_keys.TryGetValue(key, out Action? action))
        {
            action();
            return true;
        }

        return false;
    }

    protected void SetSummary(string summary)
    {
        Summary = summary;
        SummaryChanged?.Invoke();
    }

    /// <summary>Runs <paramref name="action"/> on the UI thread (queued when called from another thread).</summary>
    protected void OnUiThread(Action action) => BackgroundWork.OnUiThread(this, action);

    /// <summary>Starts background work; a failure is shown in the summary rather than lost.</summary>
    protected void Start(Func<Task> work) => BackgroundWork.Start(this, work, ex => SetSummary("error: " + ex.Message));
}
