using Onboarding.Engine.Audiences;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Audiences;

/// <summary>One audience: its targeting (the canonical expression), size over time and composition by a group.</summary>
internal sealed class AudienceDetailDialog : Dialog
{
    public AudienceDetailDialog(Audience audience, IReadOnlyList<AudienceSizePoint> history, AudienceComposition? composition)
    {
        HotKeySpecifier = Views.NoHotKey;
        Title = $"Audience {audience.Name}";
        Width = Dim.Percent(90);
        Height = Dim.Percent(85);
        Label summary = Views.DataLabel(
            $"{Format.Lower(audience.Status)}  ·  created by {audience.CreatedBy} on {Format.Time(audience.CreatedOn)}"
                + $"  ·  size {(audience.Size is { } size ? Format.Count(size) : "not processed")}"
                + $"  ·  {(audience.ShareOfBase is { } share ? Format.Percent(share) : "-")} of base\n"
                + $"Targeting: {audience.Expression}");
        var historyLabel = new Label { Y = 3, Text = "Size over time:" };
        TableView historyTable = Views.Table(1, 2);
        historyTable.Y = 4;
        historyTable.Width = Dim.Percent(45);
        historyTable.Height = Dim.Fill(1);
        historyTable.Table = new EnumerableTableSource<AudienceSizePoint>([.. history.OrderByDescending(p => p.Date)], new Dictionary<string, Func<AudienceSizePoint, object>>
        {
            ["Date"] = p => p.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["Size"] = p => Format.Count(p.Size),
            ["% of base"] = p => Format.Percent(p.ShareOfBase),
        });
        var compositionLabel = new Label { X = Pos.Percent(50), Y = 3, Text = composition is null ? "Composition: no segments" : $"Composition by {composition.Group}:" };
        TableView compositionTable = Views.Table(1, 2);
        compositionTable.X = Pos.Percent(50);
        compositionTable.Y = 4;
        compositionTable.Width = Dim.Fill();
        compositionTable.Height = Dim.Fill(1);
        compositionTable.Table = new EnumerableTableSource<CompositionRow>(composition?.Rows ?? [], new Dictionary<string, Func<CompositionRow, object>>
        {
            ["Segment"] = r => r.Segment ?? "(none of them)",
            ["Count"] = r => Format.Count(r.Count),
            ["%"] = r => Format.Percent(r.ShareOfAudience),
        });
        History = history;
        Composition = composition;
        Add(summary, historyLabel, historyTable, compositionLabel, compositionTable);
        AddButton(new Button { Text = "_Close", IsDefault = true });
    }

    public IReadOnlyList<AudienceSizePoint> History { get; }

    public AudienceComposition? Composition { get; }
}
