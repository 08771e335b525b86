using System.Collections.ObjectModel;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Audiences;

/// <summary>
/// Creates an audience or edits a draft: its name, the builder (rows, each a segment, a whole group or another
/// audience, included or excluded, combined with all or any), the same definition as expression text, and the size
/// it would have now (previewed off the UI thread a moment after each change). Saves as draft; activates after a
/// confirmation, and from then on shows the audience read-only.
/// </summary>
internal sealed class AudienceEditorDialog : Dialog
{
    public static readonly KeyMap Keys = new("Audience editor");
    public static readonly KeyAction AddRowKey = Keys.Add(Key.F2, "Add row", "add a row: pick a segment, a whole group or an audience");
    public static readonly KeyAction IncludeKey = Keys.Add(Key.F3, "Include/exclude", "include ⇄ exclude the selected row (or Enter on it)");
    public static readonly KeyAction MatchKey = Keys.Add(Key.F4, "All/any", "the rows combine with all (AND) ⇄ any (OR)");
    public static readonly KeyAction RemoveKey = Keys.Add(Key.Delete, "Remove row", "remove the selected row");
    public static readonly KeyAction SaveKey = Keys.Add(Key.S.WithCtrl, "Save draft", "save as draft");
    public static readonly KeyAction ActivateKey = Keys.Add(Key.F7, "Activate", "activate, after a confirmation: the definition is frozen from then on");
    public static readonly KeyAction TabsKey = Keys.Describe("Alt+B Alt+E", "the Builder / Expression tab (or click it); Tab moves into it");
    public static readonly KeyAction CloseKey = Keys.Describe("Esc", "close the editor (asks first when there are unsaved changes)");

    /// <summary>How long the definition must stay unchanged before its size is computed.</summary>
    public static readonly TimeSpan PreviewDelay = TimeSpan.FromMilliseconds(300);

    private readonly TuiSession _session;
    private readonly string _client;
    private readonly TimeProvider _time;
    private readonly TextField _name;
    private readonly Label _status;
    private readonly Tabs _tabs;
    private readonly View _builderTab;
    private readonly View _expressionTab;
    private readonly OptionSelector<AudienceMatch> _match;
    private readonly ListView _rows;
    private readonly Label _rowsNote;
    private readonly Label _expressionLabel;
    private readonly TextField _expression;
    private readonly Label _canonical;
    private readonly Label _preview;
    private readonly Label _problem;
    private readonly Label _targeting;
    private readonly StatusBar _keyBar;
    private AudienceBuilder? _builder = new() { Match = AudienceMatch.All };
    private string _text = string.Empty;
    private bool _showingText;
    private int _version;
    private CancellationTokenSource? _previewCancel;

    public AudienceEditorDialog(TuiSession session, Audience? audience, TimeProvider? time = null)
    {
        _session = session;
        _client = session.Client;
        _time = time ?? TimeProvider.System;
        HotKeySpecifier = Views.NoHotKey;
        Width = Dim.Percent(90);
        Height = Dim.Percent(90);

        var nameLabel = new Label { Text = "Name:" };
        _name = new TextField { X = 7, Width = 40 };
        _status = Views.DataLabel(string.Empty);
        _status.X = Pos.Right(_name) + 2;

        _builderTab = new View { Title = "_Builder", Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        var matchLabel = new Label { Text = "Members match" };
        _match = new OptionSelector<AudienceMatch> { X = Pos.Right(matchLabel) + 1, Orientation = Orientation.Horizontal, Value = AudienceMatch.All };
        _match.Labels = ["all of the rows", "any of the rows"];
        _rows = new ListView { Y = 2, Width = Dim.Fill(), Height = Dim.Fill(1), HotKeySpecifier = Views.NoHotKey };
        _rowsNote = Views.DataLabel(string.Empty);
        _rowsNote.Y = Pos.AnchorEnd(1);
        _builderTab.Add(matchLabel, _match, _rows, _rowsNote);

        _expressionTab = new View { Title = "_Expression", Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        _expressionLabel = new Label { Text = "Expression (edit freely; \"Group=Segment\", \"Group=*\", @\"audience\", AND OR NOT, parentheses):" };
        _expression = new TextField { Y = 1, Width = Dim.Fill() };
        _canonical = Views.DataLabel(string.Empty);
        _canonical.Y = 3;
        _canonical.Height = Dim.Fill();
        _expressionTab.Add(_expressionLabel, _expression, _canonical);

        _tabs = new Tabs { Y = 2, Width = Dim.Fill(), Height = Dim.Fill(7) };
        _tabs.Add(_builderTab, _expressionTab);

        _preview = Views.DataLabel(string.Empty);
        _preview.Y = Pos.AnchorEnd(6);
        _problem = Views.DataLabel(string.Empty);
        _problem.Y = Pos.AnchorEnd(5);
        _problem.Height = 4;
        _targeting = Views.DataLabel(string.Empty);
        _targeting.Y = Pos.AnchorEnd(5);
        _targeting.Height = 4;
        _targeting.Visible = false;
        _keyBar = Keys.Bar(
            (AddRowKey, AddRow),
            (IncludeKey, ToggleIncluded),
            (MatchKey, ToggleMatch),
            (RemoveKey, RemoveRow),
            (SaveKey, () => Persist(activate: false)),
            (ActivateKey, ConfirmAndActivate));
        Add(nameLabel, _name, _status, _tabs, _preview, _problem, _targeting, _keyBar);

        _match.ValueChanged += (_, _) =>
        {
            if (_builder is not null && _match.Value is { } match && match != _builder.Match)
            {
                _builder.Match = match;
                BuilderChanged();
            }
        };
        _rows.Accepting += (_, e) =>
        {
            ToggleIncluded();
            e.Handled = true;
        };
        _expression.ValueChanged += (_, _) =>
        {
            if (!_showingText)
            {
                ExpressionEdited(_expression.Text);
            }
        };

        if (audience is null)
        {
            Title = "New audience";
            _status.Text = "new: not saved yet";
            ShowDefinition(string.Empty);
        }
        else
        {
            Audience = audience;
            _name.Text = audience.Name;
            ShowDefinition(audience.Expression);
            if (audience.IsReadOnly)
            {
                ShowReadOnly(audience);
            }
            else
            {
                Title = $"Audience {audience.Name} (draft)";
                _status.Text = $"draft, saved {Format.Time(audience.ModifiedOn)}";
            }
        }

        _name.SetFocus();
    }

    /// <summary>The audience as last saved (null until a new one is saved).</summary>
    public Audience? Audience { get; private set; }

    /// <summary>The definition as it stands (canonical once it parses).</summary>
    public string ExpressionText => _text;

    /// <summary>The builder's view of the definition; null when the expression is not a flat list of rows (or does not parse).</summary>
    public AudienceBuilder? Builder => _builder;

    /// <summary>The size and base of the last preview of the current definition; null while it is computed or invalid.</summary>
    public (long Size, long BaseSize)? Preview { get; private set; }

    public string PreviewText => _preview.Text;

    /// <summary>What is wrong, with its position underlined; empty when nothing is.</summary>
    public string Problem => _problem.Text;

    public string Status => _status.Text;

    public bool IsReadOnly { get; private set; }

    /// <summary>The name or the definition differs from what was last saved (a new audience: anything was entered).</summary>
    public bool HasUnsavedChanges => !IsReadOnly && (Audience is null
        ? _name.Text.Trim().Length > 0 || _text.Length > 0
        : _name.Text.Trim() != Audience.Name || Canonical(_text) != Canonical(Audience.Expression));

    public string NameText
    {
        get => _name.Text;
        set => _name.Text = value;
    }

    public Tabs Tabs => _tabs;

    /// <summary>Puts the cursor on the builder's rows.</summary>
    public void FocusRows()
    {
        _tabs.Value = _builderTab;
        _rows.SetFocus();
    }

    /// <summary>Adds a row at the end, included (the picker does this).</summary>
    public void AddRow(AudienceTerm term, bool included = true)
    {
        if (IsReadOnly)
        {
            return;
        }

        _builder ??= new AudienceBuilder { Match = _match.Value ?? AudienceMatch.All };
        _builder.Rows.Add(new AudienceBuilderRow(term, included));
        BuilderChanged();
        _rows.Value = _builder.Rows.Count - 1;
    }

    /// <summary>Replaces the definition with typed text, as the expression tab does.</summary>
    public void TypeExpression(string text)
    {
        _tabs.Value = _expressionTab;
        _expression.Text = text;
    }

    /// <summary>The first preview's figures come back through the running app, so it starts (again) once the editor runs.</summary>
    protected override void OnIsRunningChanged(bool newIsRunning)
    {
        base.OnIsRunningChanged(newIsRunning);
        if (newIsRunning && !IsReadOnly && Preview is null && _problem.Text.Length == 0 && _text.Length > 0)
        {
            SchedulePreview();
        }
    }

    /// <summary>Esc with unsaved changes asks first; keeping them is the default, so a stray Esc loses nothing.</summary>
    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.Esc && HasUnsavedChanges && App is not null)
        {
            string what = Audience is null ? "this new audience" : $"\"{Audience.Name}\"";
            int? answer = MessageBox.Query(App, "Unsaved changes", $"Discard the unsaved changes to {what}?", "_Discard", "_Keep editing");
            if (answer == 0)
            {
                RequestStop();
            }

            return true;
        }

        return base.OnKeyDown(key);
    }

    private static string Canonical(string text) =>
        AudienceExpression.TryParse(text, out AudienceExpression? parsed, out _) ? parsed.ToString() : text.Trim();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _previewCancel?.Cancel();
            _previewCancel?.Dispose();
            _previewCancel = null;
        }

        base.Dispose(disposing);
    }

    private void ShowDefinition(string text)
    {
        ShowText(text);
        ExpressionEdited(text);
    }

    private void ShowText(string text)
    {
        _showingText = true;
        _expression.Text = text;
        _showingText = false;
    }

    private void ShowRows()
    {
        if (_builder is null)
        {
            _rows.SetSource(new ObservableCollection<string>());
            _rowsNote.Text = "This expression is more than a list of rows: edit it on the Expression tab.";
            return;
        }

        int? selected = _rows.Value;
        _rows.SetSource(new ObservableCollection<string>(_builder.Rows.Select(TargetingSummary.Row)));
        _rows.Value = _builder.Rows.Count == 0 ? null : Math.Clamp(selected ?? 0, 0, _builder.Rows.Count - 1);
        _rowsNote.Text = _builder.Rows.Count == 0
            ? "No rows yet: F2 adds one."
            : _builder.Match == AudienceMatch.Any && _builder.Rows.Count > 1 && _builder.Rows.Any(r => !r.Included)
                ? "Note: with any, an excluded row adds everyone in the base who is not in it (all: A but not B)."
                : "Enter or F3: include ⇄ exclude · Del: remove · F4: all ⇄ any";
        if (_match.Value != _builder.Match)
        {
            _match.Value = _builder.Match;
        }
    }

    /// <summary>The builder changed: its text is now the definition.</summary>
    private void BuilderChanged()
    {
        _text = _builder!.ToString();
        ShowText(_text);
        _canonical.Text = _text.Length == 0 ? string.Empty : "Canonical: " + _text;
        ShowRows();
        DefinitionChanged();
    }

    /// <summary>The text changed: it is parsed here (cheap, no I/O) and read back as builder rows when it has their shape.</summary>
    private void ExpressionEdited(string text)
    {
        _text = text.Trim();
        if (_text.Length == 0)
        {
            _builder = new AudienceBuilder { Match = _match.Value ?? AudienceMatch.All };
            _canonical.Text = string.Empty;
            ShowRows();
            DefinitionChanged();
            return;
        }

        if (!AudienceExpression.TryParse(_text, out AudienceExpression? parsed, out AudienceExpressionException? error))
        {
            _builder = null;
            _canonical.Text = string.Empty;
            ShowRows();
            StopPreview("-");
            _problem.Text = ExpressionProblem.Describe(_text, error);
            return;
        }

        _builder = AudienceBuilder.TryFrom(parsed, out AudienceBuilder? builder) ? builder : null;
        _canonical.Text = "Canonical: " + parsed;
        ShowRows();
        DefinitionChanged();
    }

    private void DefinitionChanged()
    {
        _problem.Text = string.Empty;
        if (_text.Length == 0)
        {
            StopPreview("-");
            _problem.Text = "Add a row (F2) or type an expression.";
            return;
        }

        SchedulePreview();
    }

    private void StopPreview(string text)
    {
        _version++;
        _previewCancel?.Cancel();
        Preview = null;
        _preview.Text = $"Size now: {text}";
    }

    /// <summary>Computes the size a moment after the last change, off the UI thread; a newer change wins.</summary>
    private void SchedulePreview()
    {
        StopPreview("computing…");
        _previewCancel?.Dispose();
        var cancel = _previewCancel = new CancellationTokenSource();
        CancellationToken token = cancel.Token;
        int version = _version;
        string text = _text;
        string client = _client;
        this.Start(
            async () =>
            {
                await Task.Delay(PreviewDelay, _time, token).ConfigureAwait(false);
                (long size, long baseSize) = await _session.Engine.RunAsync(data => new AudienceService(data, client).Preview(text), token).ConfigureAwait(false);
                this.OnUiThread(() =>
                {
                    if (version == _version)
                    {
                        Preview = (size, baseSize);
                        _preview.Text = $"Size now: {Format.Count(size)}  ·  {Format.Percent(baseSize == 0 ? 0 : (double)size / baseSize)} of base ({Format.Count(baseSize)})";
                    }
                });
            },
            ex =>
            {
                if (version == _version && ex is not OperationCanceledException)
                {
                    _preview.Text = "Size now: -";
                    _problem.Text = ExpressionProblem.Describe(text, ex);
                }
            });
    }

    private int? SelectedRow =>
        _builder is not null && _rows.Value is { } row && row >= 0 && row < _builder.Rows.Count ? row : null;

    private void ToggleIncluded()
    {
        if (!IsReadOnly && SelectedRow is { } row)
        {
            AudienceBuilderRow current = _builder!.Rows[row];
            _builder.Rows[row] = current with { Included = !current.Included };
            BuilderChanged();
        }
    }

    private void ToggleMatch()
    {
        if (!IsReadOnly && _builder is not null)
        {
            _builder.Match = _builder.Match == AudienceMatch.All ? AudienceMatch.Any : AudienceMatch.All;
            BuilderChanged();
        }
    }

    private void RemoveRow()
    {
        if (!IsReadOnly && SelectedRow is { } row)
        {
            _builder!.Rows.RemoveAt(row);
            BuilderChanged();
        }
    }

    /// <summary>Opens the picker over the client's groups, segments, audiences and snapshots (loaded off the UI thread).</summary>
    private void AddRow()
    {
        if (IsReadOnly)
        {
            return;
        }

        string client = _client;
        string? editing = Audience?.Name;
        this.Start(
            async () =>
            {
                IReadOnlyList<PickerItem> items = await _session.Engine.RunAsync(data =>
                {
                    var service = new AudienceService(data, client);
                    return SegmentPickerDialog.Items(data.Catalog.Segments(client), service.List(), service.Snapshots(), editing);
                }).ConfigureAwait(false);
                this.OnUiThread(() =>
                {
                    using var picker = new SegmentPickerDialog(items);
                    App?.Run(picker);
                    if (picker.Picked is { } term)
                    {
                        AddRow(term);
                        _tabs.Value = _builderTab;
                        _rows.SetFocus();
                    }
                });
            },
            ShowProblem);
    }

    private void ConfirmAndActivate()
    {
        if (IsReadOnly || App is null)
        {
            return;
        }

        string name = _name.Text.Trim();
        int? answer = MessageBox.Query(
            App,
            "Activate audience",
            $"Activate \"{name}\"?\n\nAn active audience is processed every day and its definition is frozen:\nit cannot be edited afterwards (create a new draft to change it).",
            "_Activate",
            "_Cancel");

        // Cancel is last, so it is the default: Enter alone never freezes an audience.
        if (answer == 0)
        {
            Persist(activate: true);
        }
    }

    /// <summary>Saves as draft (creates it the first time), then activates it if asked; engine rules and expression errors are shown, nothing is lost.</summary>
    private void Persist(bool activate)
    {
        if (IsReadOnly)
        {
            return;
        }

        string name = _name.Text;
        string text = _text;
        Audience? existing = Audience;
        string client = _client;
        _status.Text = activate ? "activating…" : "saving…";
        this.Start(
            async () =>
            {
                Audience saved = await _session.Engine.RunAsync(data =>
                {
                    var service = new AudienceService(data, client);
                    return existing is null
                        ? service.Create(name, text, Environment.UserName)
                        : service.Update(existing.Name, text, name.Trim() == existing.Name ? null : name);
                }).ConfigureAwait(false);
                this.OnUiThread(() => Saved(saved));
                if (activate)
                {
                    Audience active = await _session.Engine.RunAsync(data => new AudienceService(data, client).Activate(saved.Name)).ConfigureAwait(false);
                    this.OnUiThread(() => ShowReadOnly(active));
                }
            },
            ShowProblem);
    }

    private void Saved(Audience saved)
    {
        Audience = saved;
        Title = $"Audience {saved.Name} (draft)";
        _status.Text = $"draft, saved {Format.Time(saved.ModifiedOn)}";
        _problem.Text = string.Empty;
    }

    private void ShowProblem(Exception problem)
    {
        _status.Text = Audience is null ? "new: not saved yet" : $"{Format.Lower(Audience.Status)}, not saved";
        _problem.Text = ExpressionProblem.Describe(_text, problem);
    }

    /// <summary>An active or inactive audience: nothing can be changed, the targeting summary says what it is.</summary>
    private void ShowReadOnly(Audience audience)
    {
        Audience = audience;
        IsReadOnly = true;
        Title = $"Audience {audience.Name} ({Format.Lower(audience.Status)}, read-only)";
        _status.Text = $"{Format.Lower(audience.Status)} since {(audience.ActivatedOn is { } on ? Format.Time(on) : "-")}: read-only"
            + (audience.Size is { } size ? $"  ·  size {Format.Count(size)}" : string.Empty);
        _name.ReadOnly = true;
        _expression.ReadOnly = true;
        _match.Enabled = false;
        _rowsNote.Text = "Read-only: the definition was frozen when the audience was activated.";
        _expressionLabel.Text = "Expression (read-only):";
        _problem.Text = string.Empty;
        _problem.Visible = false;
        _targeting.Text = "Targeting summary: " + TargetingSummary.Describe(audience.Expression);
        _targeting.Visible = true;
        foreach (Shortcut shortcut in _keyBar.SubViews.OfType<Shortcut>())
        {
            shortcut.Visible = false;
        }
    }
}
