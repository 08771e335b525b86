using Terminal.Gui.ViewBase;

namespace Onboarding.Tui.Shell;

/// <summary>Work a view starts off the UI thread, and the way back to the UI thread.</summary>
internal static class BackgroundWork
{
    /// <summary>Runs <paramref name="action"/> on the UI thread (queued when called from another thread).</summary>
    public static void OnUiThread(this View view, Action action) => view.App?.Invoke(action);

    /// <summary>Starts <paramref name="work"/>; a failure is handed to <paramref name="failed"/> on the UI thread rather than lost.</summary>
    public static void Start(this View view, Func<Task> work, Action<Exception> failed) => _ = Guard(view, work, failed);

    private static async Task Guard(View view, Func<Task> work, Action<Exception> failed)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            view.OnUiThread(() => failed(ex));
        }
    }
}
