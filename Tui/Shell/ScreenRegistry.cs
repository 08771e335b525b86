using Onboarding.Tui.Screens;
using Onboarding.Tui.Screens.Audiences;
using Onboarding.Tui.Screens.Exports;
using Onboarding.Tui.Screens.Files;
using Onboarding.Tui.Screens.Segments;
using Terminal.Gui.Input;

namespace Onboarding.Tui.Shell;

/// <summary>A screen the main window can show: its menu title, its key, how to make it and its own keys.</summary>
internal sealed record ScreenEntry(string Title, Key Key, Func<TuiSession, Screen> Create, KeyMap Keys)
{
    public string Name => Title.Replace("_", string.Empty, StringComparison.Ordinal);
}

/// <summary>
/// Every screen of the app, in menu order. A new screen is one class and one line here.
/// </summary>
internal static class ScreenRegistry
{
    public static IReadOnlyList<ScreenEntry> All { get; } =
    [
        new("_Segments", Key.F2, session => new SegmentsScreen(session), SegmentsScreen.Keys),
        new("_Ingestion", Key.F3, session => new FilesScreen(session), FilesScreen.Keys),
        new("_Audiences", Key.F4, session => new AudiencesScreen(session), AudiencesScreen.Keys),
        new("_Exports", Key.F7, session => new ExportsScreen(session), ExportsScreen.Keys),
    ];
}
