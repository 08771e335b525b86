using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Shell;

/// <summary>A key of a screen or dialog and what it does, as the key bar and the help overlay show it.</summary>
/// <param name="Key">The key.</param>
/// <param name="Name">The short label of the key bar ("Save draft").</param>
/// <param name="Help">What the key does, for the help overlay.</param>
/// <param name="Bound">False for a key a Terminal.Gui view handles itself (Enter in a table): listed, not bound here.</param>
internal sealed record KeyAction(Key Key, string Name, string Help, bool Bound = true);

/// <summary>
/// The keys of one screen or dialog, declared once as a static field of its class. The class binds them with
/// <see cref="Bar"/> or <see cref="Dispatch"/>, which refuse a map with a key left unhandled, and the help overlay
/// lists every map (<see cref="HelpDialog"/>), so the help cannot drift from what the keys do.
/// </summary>
internal sealed class KeyMap(string where)
{
    private readonly List<KeyAction> _actions = [];

    /// <summary>The screen or dialog, as the help overlay titles it.</summary>
    public string Where { get; } = where;

    public IReadOnlyList<KeyAction> Actions => _actions;

    /// <summary>Declares a key this map's class binds.</summary>
    public KeyAction Add(Key key, string name, string help) => Declare(new KeyAction(key, name, help));

    /// <summary>Declares a key a Terminal.Gui view handles itself, for the help overlay only.</summary>
    public KeyAction Describe(string key, string help) => Declare(new KeyAction(Key.Empty, key, help, Bound: false));

    /// <summary>How the key reads in the help overlay.</summary>
    public static string Label(KeyAction action) => action.Bound ? action.Key.ToString() : action.Name;

    /// <summary>A bar of clickable shortcuts, one per bound key; the keys work anywhere in the bar's runnable.</summary>
    public StatusBar Bar(params (KeyAction Action, Action Run)[] handlers) => new(Shortcuts(handlers));

    /// <summary>One clickable shortcut per bound key, in the order declared.</summary>
    public IReadOnlyList<Shortcut> Shortcuts(params (KeyAction Action, Action Run)[] handlers)
    {
        Dictionary<KeyAction, Action> byAction = Check(handlers);
        return [.. _actions.Where(a => a.Bound).Select(a => new Shortcut(a.Key, a.Name, byAction[a]))];
    }

    /// <summary>The handlers by key, for a view that routes its own key presses (a screen inside the main window).</summary>
    public IReadOnlyDictionary<Key, Action> Dispatch(params (KeyAction Action, Action Run)[] handlers) =>
        Check(handlers).ToDictionary(h => h.Key.Key, h => h.Value);

    private KeyAction Declare(KeyAction action)
    {
        if (action.Bound && _actions.Exists(a => a.Bound && a.Key == action.Key))
        {
            throw new InvalidOperationException($"{Where}: {action.Key} is declared twice");
        }

        _actions.Add(action);
        return action;
    }

    private Dictionary<KeyAction, Action> Check((KeyAction Action, Action Run)[] handlers)
    {
        Dictionary<KeyAction, Action> byAction = handlers.ToDictionary(h => h.Action, h => h.Run);
        if (byAction.Keys.FirstOrDefault(a => !_actions.Contains(a) || !a.Bound) is { } stranger)
        {
            throw new InvalidOperationException($"{Where}: {stranger.Name} is not a bound key of this map");
        }

        if (_actions.FirstOrDefault(a => a.Bound && !byAction.ContainsKey(a)) is { } missing)
        {
            throw new InvalidOperationException($"{Where}: {missing.Key} ({missing.Name}) has no handler");
        }

        return byAction;
    }
}
