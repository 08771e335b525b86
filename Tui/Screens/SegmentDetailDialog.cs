using Onboarding.Engine.Segments;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens;

/// <summary>One segment: its identity, current size and the history of its versions with the files that made them.</summary>
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
        var history = new Label { Y = 3, Text = "Version history (newest first):" };
        TableView table = Views.Table(0, 2, 3, 4);
        table.Y = 4;
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

        Add(summary, history, table);
        AddButton(new Button { Text = "_Close", IsDefault = true });
    }

    public IReadOnlyList<SegmentVersionInfo> Versions { get; }
}
