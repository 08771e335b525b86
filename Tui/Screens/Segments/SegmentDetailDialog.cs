using Onboarding.Engine.Segments;
using Onboarding.Tui.Screens.Charts;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Segments;

/// <summary>One segment: its identity, current size, its size over time and the history of its versions with the files that made them.</summary>
internal sealed class SegmentDetailDialog : Dialog
{
    public SegmentDetailDialog(SegmentInfo segment, IReadOnlyList<SegmentVersionInfo> versions)
    {
        HotKeySpecifier = Views.NoHotKey;
        Title = $"Segment {segment.Name}";
        Width = Dim.Percent(90);
        Height = Dim.Percent(80);
        Versions = versions;
        Label summary = Views.DataLabel(
            $"Client {segment.Client}  ·  {Format.Type(segment.Type)}  ·  size {Format.Count(segment.Size)}  ·  version {segment.CurrentVersion}\n"
                + $"Created {Format.Time(segment.Created)}  ·  updated {Format.Time(segment.Updated)}");
        var sizeLabel = new Label { Y = 3, Text = "Size over time (one bar per version):" };
        SizePoint[] points = [.. versions.OrderBy(v => v.Version).Select(v => new SizePoint(DateOnly.FromDateTime(v.Created.LocalDateTime), v.Size))];
        var chart = new TextChartView { Y = 4, Width = Dim.Fill(), Height = 7, Render = (width, height) => SizeChart.Render(points, width, height) };
        var history = new Label { Y = 12, Text = "Version history (newest first):" };
        TableView table = Views.Table(0, 2, 3, 4);
        table.Y = 13;
        table.Height = Dim.Fill(1);
        table.Table = new EnumerableTableSource<SegmentVersionInfo>([.. versions.OrderByDescending(v => v.Version)], new Dictionary<string, Func<SegmentVersionInfo, object>>
            {
                ["Version"] = v => v.Version,
                ["Date"] = v => Format.Time(v.Created),
                ["Size"] = v => Format.Count(v.Size),
                ["Added"] = v => Views.Signed(v.Added, '+'),
                ["Removed"] = v => Views.Signed(v.Removed, '-'),
                ["Mode"] = v => Format.Lower(v.Mode),
                ["File"] = v => v.SourceFile,
            });

        Add(summary, sizeLabel, chart, history, table);
        AddButton(new Button { Text = "_Close", IsDefault = true });
    }

    public IReadOnlyList<SegmentVersionInfo> Versions { get; }
}
