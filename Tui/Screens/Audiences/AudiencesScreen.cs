using Onboarding.Engine.Audiences;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Audiences;

/// <summary>
/// The audiences dashboard: status, name, created by, created on, last processed, size and % of base; keyword
/// search over name and created by, sort by name A–Z/Z–A and date newest/oldest (F6); Ctrl+N creates an audience
/// in the editor; Enter opens a draft in the editor and an active or inactive audience in its detail.
/// Search and sort are the Engine's (<see cref="AudienceService.List"/>), so the CLI and the UI agree.
/// </summary>
internal sealed class AudiencesScreen : TableScreen<Audience>
{
    public static readonly KeyMap Keys = new("Audiences screen");
    public static readonly KeyAction NewKey = Keys.Add(Key.N.WithCtrl, "New audience", "create an audience in the editor (or click New audience)");
    public static readonly KeyAction OpenKey = Keys.Describe("Enter", "open: a draft in the editor, an active or inactive audience in its detail (or double-click)");
    public static readonly KeyAction SortKey = Keys.Describe("F6", "sort: name A-Z, name Z-A, newest, oldest");

    private static readonly AudienceSort[] Sorts = [AudienceSort.NameAscending, AudienceSort.NameDescending, AudienceSort.Newest, AudienceSort.Oldest];

    public AudiencesScreen(TuiSession session)
        : base(session, "Audiences", 5, 6)
    {
        var create = new Button { Text = "New audience", X = Pos.AnchorEnd(), HotKeySpecifier = Views.NoHotKey, ShadowStyle = ShadowStyles.None };
        create.Accepting += (_, e) =>
        {
            NewAudience();
            e.Handled = true;
        };
        Add(create);
        BindKeys(Keys.Dispatch((NewKey, NewAudience)));
        Show([]);
    }

    public AudienceSort Sort { get; private set; } = AudienceSort.NameAscending;

    /// <summary>Opens the editor on a new audience (Ctrl+N); the list reloads when it closes.</summary>
    public void NewAudience() => Edit(null);

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

    /// <summary>A draft opens in the editor; an active or inactive audience in its detail (read-only).</summary>
    protected override void Open(Audience audience)
    {
        if (audience.IsReadOnly)
        {
            using var detail = new AudienceDetailDialog(Session, audience);
            App?.Run(detail);
            Start(RefreshAsync);
        }
        else
        {
            Edit(audience);
        }
    }

    private void Edit(Audience? draft)
    {
        using var editor = new AudienceEditorDialog(Session, draft);
        App?.Run(editor);
        Start(RefreshAsync);
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
            ["% of base"] = a => a.ShareOfBase is { } share ? Format.Percent(share) : "-",
        });
        Hint.Text = $"Sort: {Describe(Sort)} (F6)  ·  Ctrl+N: new audience";
        int active = audiences.Count(a => a.Status == AudienceStatus.Active);
        SetSummary($"{Format.Plural(audiences.Count, "audience")}, {Format.Count(active)} active");
    }

    private static string Describe(AudienceSort sort) => sort switch
    {
        AudienceSort.NameDescending => "name Z-A",
        AudienceSort.Newest => "newest first",
        AudienceSort.Oldest => "oldest first",
        _ => "name A-Z",
    };
}
