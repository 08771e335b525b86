using Onboarding.Engine.Audiences;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Audiences;

/// <summary>Who entered and who left an audience between two processing dates (the engine keeps each run's members).</summary>
internal sealed class AudienceDiffDialog : Dialog
{
    public static readonly KeyMap Keys = new("Diff");
    public static readonly KeyAction CompareKey = Keys.Add(Key.F5, "Compare", "count who entered and who left between From and To (also Enter in a date)");

    private readonly TuiSession _session;
    private readonly string _client;
    private readonly string _audience;
    private readonly DateRangeFields _range;
    private readonly Label _result;

    public AudienceDiffDialog(TuiSession session, string audience, IReadOnlyList<AudienceSizePoint> history)
    {
        _session = session;
        _client = session.Client;
        _audience = audience;
        HotKeySpecifier = Views.NoHotKey;
        Title = $"Diff of {audience}";
        Width = Dim.Percent(80);
        Height = 12;
        // The last two processing dates, the usual question ("who changed since the last run?").
        _range = new DateRangeFields("Processing dates  ")
        {
            From = history.Count >= 2 ? Format.Date(history[^2].Date) : history.Count == 1 ? Format.Date(history[0].Date) : string.Empty,
            To = history.Count >= 1 ? Format.Date(history[^1].Date) : string.Empty,
        };
        _result = Views.DataLabel(string.Empty);
        _result.Y = 2;
        _result.Height = 4;
        Add(_range, _result, Keys.Bar((CompareKey, Compare)));
        _range.Applied += Compare;
        _range.SetFocus();
    }

    public AudienceDiff? Diff { get; private set; }

    public string Outcome => _result.Text;

    public DateRangeFields Range => _range;

    public void Compare()
    {
        if (!_range.TryRead(out DateOnly? from, out DateOnly? to, out string problem) || from is null || to is null)
        {
            _result.Text = problem.Length > 0 ? problem : "Type both processing dates (yyyy-MM-dd).";
            return;
        }

        string client = _client;
        string audience = _audience;
        _result.Text = "comparing…";
        this.Start(
            async () =>
            {
                AudienceDiff diff = await _session.Engine.RunAsync(data => new AudienceService(data, client).Diff(audience, from.Value, to.Value).Diff).ConfigureAwait(false);
                this.OnUiThread(() =>
                {
                    Diff = diff;
                    _result.Text = $"{Format.Date(diff.From)}: {Format.Plural(diff.SizeFrom, "member")}  →  {Format.Date(diff.To)}: {Format.Plural(diff.SizeTo, "member")}\n"
                        + $"entered: {Format.Count(diff.Entered)}   left: {Format.Count(diff.Left)}";
                });
            },
            ex => _result.Text = ex.Message);
    }
}
