using Terminal.Gui.ViewBase;

namespace Onboarding.Tui.Screens.Charts;

/// <summary>Draws a text chart at the size the layout gives it, so a resize redraws it to fit.</summary>
internal sealed class TextChartView : View
{
    private Func<int, int, IReadOnlyList<string>> _render = (_, _) => [];

    /// <summary>The chart's lines for a width and height.</summary>
    public Func<int, int, IReadOnlyList<string>> Render
    {
        get => _render;
        set
        {
            _render = value;
            SetNeedsDraw();
        }
    }

    protected override bool OnDrawingContent(DrawContext? context)
    {
        IReadOnlyList<string> lines = _render(Viewport.Width, Viewport.Height);
        for (int row = 0; row < lines.Count && row < Viewport.Height; row++)
        {
            string line = lines[row];
            AddStr(0, row, line.Length > Viewport.Width ? line[..Viewport.Width] : line);
        }

        return true;
    }
}
