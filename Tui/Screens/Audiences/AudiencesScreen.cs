using System.Globalization;
using Onboarding.Engine.Audiences;
using Onboarding.Tui.Shell;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Audiences;

/// <summary>
/// The audiences dashboard: status, name, created by, created on, last processed, size and % of base; keyword
/// search over name and created by, sort by name A–Z/Z–A and date newest/oldest (F6); Enter opens the detail.
/// Search and sort are the Engine's (<see cref="AudienceService.List"/>), so the CLI and the UI agree.
/// </summary>
internal sealed class AudiencesScreen : TableScreen<Audience>
{
    private static readonly AudienceSort[] Sorts = [AudienceSort.NameAscending, AudienceSort.NameDescending, AudienceSort.Newest, AudienceSort.Oldest];

    public AudiencesScreen(TuiSession session)
        : base(session, "Audiences", 5, 6)
    {
        Show([]);
    }

    public AudienceSort Sort { get; private set; } = AudienceSort.NameAscending;

    public override async Task RefreshAsync()
    {
        string client = Session.Client;
        string search = SearchText;
        AudienceSort sort = Sort;
        IReadOnlyList<Audience> audiences = await Session.Engine.RunAsync(data => new AudienceService(data, client).List(search, sort)).ConfigureAwait(false);
        OnUiThread(() =>
        {
            if (client == Session.Client && search == SearchText && sort == Sort)
            {
                Show(audiences);
            }
        });
    }

    public override void CycleSort()
    {
        Sort = Sorts[(Array.IndexOf(Sorts, Sort) + 1) % Sorts.Length];
        Start(RefreshAsync);
    }

    /// <summary>Audiences change outside this screen (processing, the CLI), so showing it reloads them.</summary>
    public override void Activate()
    {
        base.Activate();
        Start(RefreshAsync);
    }

    protected override void OnSearchChanged() => Start(RefreshAsync);

    /// <summary>Opens the audience's definition, size history and composition.</summary>
    protected override void Open(Audience audience)
    {
        string client = Session.Client;
        Start(async () =>
        {
            (IReadOnlyList<AudienceSizePoint> history, AudienceComposition? composition) = await Session.Engine.RunAsync(data =>
            {
                var service = new AudienceService(data, client);
                AudienceComposition? byGroup = data.Client(client).ListSegments().Count == 0 ? null : service.Composition(audience.Name);
                return (service.History(audience.Name), byGroup);
            }).ConfigureAwait(false);
            OnUiThread(() =>
            {
                using var dialog = new AudienceDetailDialog(audience, history, composition);
                App?.Run(dialog);
            });
        });
    }

    private void Show(IReadOnlyList<Audience> audiences)
    {
        Shown = audiences;
        Table.Table = new EnumerableTableSource<Audience>(Shown, new Dictionary<string, Func<Audience, object>>
        {
            ["Status"] = a => Format.Lower(a.Status),
            [Sort is AudienceSort.NameAscending ? "Name ▲" : Sort is AudienceSort.NameDescending ? "Name ▼" : "Name"] = a => a.Name,
            ["Created by"] = a => a.CreatedBy,
            [Sort is AudienceSort.Newest ? "Created on ▼" : Sort is AudienceSort.Oldest ? "Created on ▲" : "Created on"] = a => Format.Time(a.CreatedOn),
            ["Last processed"] = a => a.LastProcessed is { } p ? Format.Time(p) : "-",
            ["Size"] = a => a.Size is { } s ? Format.Count(s) : "-",
            ["% of base"] = a => a.ShareOfBase is { } share ? Percent(share) : "-",
        });
        Hint.Text = $"Sort: {Describe(Sort)} (F6)";
        int active = audiences.Count(a => a.Status == AudienceStatus.Active);
        SetSummary($"{Format.Plural(audiences.Count, "audience")}, {Format.Count(active)} active");
    }

    internal static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Describe(AudienceSort sort) => sort switch
    {
        AudienceSort.NameDescending => "name Z-A",
        AudienceSort.Newest => "newest first",
        AudienceSort.Oldest => "oldest first",
        _ => "name A-Z",
    };
}
