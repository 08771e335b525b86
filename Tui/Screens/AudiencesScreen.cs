using System.Globalization;
using Onboarding.Engine.Audiences;
using Onboarding.Tui.Shell;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens;

/// <summary>
/// The audiences dashboard: status, name, created by, created on, last processed, size and % of base; keyword
/// search over name and created by, sort by name A–Z/Z–A and date newest/oldest (F6); Enter opens the detail.
/// Search and sort are the Engine's (<see cref="AudienceService.List"/>), so the CLI and the UI agree.
/// </summary>
internal sealed class AudiencesScreen : Screen
{
    private static readonly AudienceSort[] Sorts = [AudienceSort.NameAscending, AudienceSort.NameDescending, AudienceSort.Newest, AudienceSort.Oldest];

    private readonly TextField _search;
    private readonly Label _sortLabel;
    private readonly TableView _table;

    public AudiencesScreen(TuiSession session)
        : base(session)
    {
        Title = "Audiences";
        var searchLabel = new Label { Text = "_Search:" };
        _search = new TextField { X = Pos.Right(searchLabel) + 1, Width = 30 };
        _sortLabel = new Label { X = Pos.Right(_search) + 2 };
        _table = Views.Table(5, 6);
        _table.Y = 2;
        _table.Height = Dim.Fill();
        Add(searchLabel, _search, _sortLabel, _table);

        _search.ValueChanged += (_, _) => Start(RefreshAsync);
        _search.Accepting += (_, e) =>
        {
            _table.SetFocus();
            e.Handled = true;
        };
        _table.Accepting += (_, e) =>
        {
            OpenSelected();
            e.Handled = true;
        };
        Show([]);
    }

    public AudienceSort Sort { get; private set; } = AudienceSort.NameAscending;

    /// <summary>The rows as shown, after search and sort.</summary>
    public IReadOnlyList<Audience> Shown { get; private set; } = [];

    public string SearchText
    {
        get => _search.Value ?? string.Empty;
        set => _search.Value = value;
    }

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

    public override void FocusSearch() => _search.SetFocus();

    /// <summary>Audiences change outside this screen (processing, the CLI), so showing it reloads them.</summary>
    public override void Activate()
    {
        _table.SetFocus();
        Start(RefreshAsync);
    }

    public override bool Back()
    {
        if (_search.HasFocus || SearchText.Length > 0)
        {
            SearchText = string.Empty;
            _table.SetFocus();
            return true;
        }

        return false;
    }

    /// <summary>Opens the selected audience's definition, size history and composition (Enter or double-click).</summary>
    public void OpenSelected()
    {
        if (_table.Value?.SelectedCell.Y is not { } row || row < 0 || row >= Shown.Count)
        {
            return;
        }

        Audience audience = Shown[row];
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
        _table.Table = new EnumerableTableSource<Audience>(Shown, new Dictionary<string, Func<Audience, object>>
        {
            ["Status"] = a => Format.Lower(a.Status),
            [Sort is AudienceSort.NameAscending ? "Name ▲" : Sort is AudienceSort.NameDescending ? "Name ▼" : "Name"] = a => a.Name,
            ["Created by"] = a => a.CreatedBy,
            [Sort is AudienceSort.Newest ? "Created on ▼" : Sort is AudienceSort.Oldest ? "Created on ▲" : "Created on"] = a => Format.Time(a.CreatedOn),
            ["Last processed"] = a => a.LastProcessed is { } p ? Format.Time(p) : "-",
            ["Size"] = a => a.Size is { } s ? Format.Count(s) : "-",
            ["% of base"] = a => a.ShareOfBase is { } share ? Percent(share) : "-",
        });
        _sortLabel.Text = $"Sort: {Describe(Sort)} (F6)";
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
