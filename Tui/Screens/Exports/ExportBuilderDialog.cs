using System.Globalization;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Storage;
using Onboarding.Tui.Shell;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Onboarding.Tui.Screens.Exports;

/// <summary>
/// Creates or edits an export configuration in the product's three steps, each a tab: Setup (audience, name, file
/// name template, destination, encryption, first delivery, repeats, end date, time zone, cancel window, state),
/// Attributes (columns, header, delimiters, full or delta content) and Notification (e-mail addresses). Saving checks
/// the schedule (<see cref="ExportSchedule.Validate"/>) and every rule of <see cref="ExportService"/>; the dialog
/// stays open with the message, naming the field, until they pass.
/// </summary>
internal sealed class ExportBuilderDialog : ExportFormDialog<ExportConfiguration>
{
    public static readonly KeyMap Keys = new("Export builder");
    public static readonly KeyAction SaveKey = Keys.Add(Key.S.WithCtrl, "Save", "check every field and save the export");
    public static readonly KeyAction TabsKey = Keys.Describe("Alt+U Alt+T Alt+O", "the Setup / ATtributes / NOtification step (or click it); Tab moves into it");
    public static readonly KeyAction CloseKey = Keys.Describe("Esc", "close without saving");

    private readonly ExportConfiguration? _editing;

    public ExportBuilderDialog(TuiSession session, ExportConfiguration? export, string? audience)
        : base(session, export is null ? "New export" : $"Edit export {export.Name}")
    {
        _editing = export;
        ExportConfiguration start = export ?? new ExportConfiguration
        {
            Name = string.Empty,
            Audience = audience ?? string.Empty,
            FileNameTemplate = "{audience}_{yyyyMMdd_HHmm}.csv",
            Destination = string.Empty,
            CreatedBy = Environment.UserName,
            Schedule = new ExportSchedule { Start = TimeProvider.System.GetUtcNow().UtcDateTime.Date.AddDays(1).AddHours(6) },
        };

        SetupStep = new View { Title = "Set_up", Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        AudienceField = Row(SetupStep, "Audience", new TextField { Text = start.Audience }, required: true);
        NameField = Row(SetupStep, "Export name", new TextField { Text = start.Name, ReadOnly = export is not null }, required: true);
        FileName = Row(SetupStep, "File name template", new TextField { Text = start.FileNameTemplate }, required: true);
        DestinationField = Row(SetupStep, "Destination", new TextField { Text = start.Destination }, required: true);
        EncryptionField = Row(SetupStep, "Encryption (PGP)", new TextField { Text = start.Encryption ?? string.Empty });
        DeliveryDate = Row(SetupStep, "Delivery date", new TextField { Text = start.Schedule.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, required: true);
        DeliveryTime = Row(SetupStep, "Delivery time", new TextField { Text = start.Schedule.Start.ToString("HH:mm", CultureInfo.InvariantCulture) }, required: true);
        Repeats = Row(SetupStep, "Repeats", new OptionSelector<ExportRecurrence> { Orientation = Orientation.Horizontal, Value = start.Schedule.Recurrence }, required: true);
        Repeats.Labels = ["one time", "daily", "weekly", "monthly", "cron"];
        WeekDays = Row(SetupStep, "Weekly: days", new TextField { Text = string.Join(",", start.Schedule.Days.Select(d => d.ToString()[..3])) });
        DayOfMonth = Row(SetupStep, "Monthly: day", new TextField { Text = start.Schedule.DayOfMonth.ToString(CultureInfo.InvariantCulture) });
        Cron = Row(SetupStep, "Cron expression", new TextField { Text = start.Schedule.Cron ?? string.Empty });
        EndDate = Row(SetupStep, "End date", new TextField { Text = start.Schedule.EndDate is { } end ? Format.Date(end) : string.Empty });
        TimeZone = Row(SetupStep, "Time zone", new TextField { Text = start.Schedule.TimeZone }, required: true);
        CancelWindow = Row(SetupStep, "Cancel window (h)", new TextField { Text = start.Schedule.CancelWindow.TotalHours.ToString(CultureInfo.InvariantCulture) }, required: true);
        Active = Row(SetupStep, "State", new CheckBox { Text = "active (paused when unchecked)", Value = start.State == ExportState.Active ? CheckState.Checked : CheckState.UnChecked });
        Note(SetupStep, "Dates yyyy-MM-dd, time HH:mm on the time zone's clock (IANA id, e.g. Europe/Berlin); days e.g. Mon,Thu.");
        Note(SetupStep, "Template tokens: {audience} {export} and date formats such as {yyyyMMdd_HHmm}.");

        AttributesStep = new View { Title = "A_ttributes", Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        Columns = Row(AttributesStep, "Columns", new TextField { Text = string.Join(",", start.Format.Columns) }, required: true);
        Header = Row(AttributesStep, "Header", new CheckBox { Text = "first row names the columns", Value = start.Format.Header ? CheckState.Checked : CheckState.UnChecked });
        FieldDelimiterField = Row(AttributesStep, "Field delimiter", new OptionSelector<FieldDelimiter> { Orientation = Orientation.Horizontal, Value = start.Format.FieldDelimiter });
        FieldDelimiterField.Labels = ["comma", "tab", "pipe", "semicolon"];
        RecordDelimiterField = Row(AttributesStep, "Record delimiter", new OptionSelector<RecordDelimiter> { Orientation = Orientation.Horizontal, Value = start.Format.RecordDelimiter });
        RecordDelimiterField.Labels = ["LF", "CRLF"];
        Content = Row(AttributesStep, "Content", new OptionSelector<ContentMode> { Orientation = Orientation.Horizontal, Value = start.Content });
        Content.Labels = ["full audience", "delta (entered and left since the last run)"];
        Note(AttributesStep, "Columns, comma-separated: id, id_type, audience, export_date, segments:<Group>.");

        NotificationStep = new View { Title = "N_otification", Width = Dim.Fill(), Height = Dim.Fill(), CanFocus = true };
        Emails = Row(NotificationStep, "E-mail addresses", new TextField { Text = string.Join(", ", start.NotifyEmails) });
        Note(NotificationStep, "Comma-separated; each is told when a run of this export completes or fails.");

        Steps = new Tabs { Width = Dim.Fill(), Height = Dim.Fill(3) };
        Steps.Add(SetupStep, AttributesStep, NotificationStep);
        Add(Steps, Keys.Bar((SaveKey, Save)));
        (export is null && audience is not null ? NameField : AudienceField).SetFocus();
    }

    public Tabs Steps { get; }

    public View SetupStep { get; }

    public View AttributesStep { get; }

    public View NotificationStep { get; }

    public TextField AudienceField { get; }

    public TextField NameField { get; }

    public TextField FileName { get; }

    public TextField DestinationField { get; }

    public TextField EncryptionField { get; }

    public TextField DeliveryDate { get; }

    public TextField DeliveryTime { get; }

    public OptionSelector<ExportRecurrence> Repeats { get; }

    public TextField WeekDays { get; }

    public TextField DayOfMonth { get; }

    public TextField Cron { get; }

    public TextField EndDate { get; }

    public TextField TimeZone { get; }

    public TextField CancelWindow { get; }

    public CheckBox Active { get; }

    public TextField Columns { get; }

    public CheckBox Header { get; }

    public OptionSelector<FieldDelimiter> FieldDelimiterField { get; }

    public OptionSelector<RecordDelimiter> RecordDelimiterField { get; }

    public OptionSelector<ContentMode> Content { get; }

    public TextField Emails { get; }

    protected override Func<DataFolder, ExportConfiguration>? Prepare()
    {
        if (Missing() is { } missing)
        {
            Problem = $"{missing}: required.";
            return null;
        }

        if (!Format.TryParseDate(DeliveryDate.Text, "Delivery date", out DateOnly date, out string problem)
            || !TryParseTime(out TimeOnly time, out problem)
            || !TryParseDays(out IReadOnlyList<DayOfWeek> days, out problem)
            || !TryParseDayOfMonth(out int dayOfMonth, out problem)
            || !TryParseNumber(CancelWindow, "Cancel window (h)", out double hours, out problem))
        {
            Problem = problem;
            return null;
        }

        DateOnly? endDate = null;
        if (EndDate.Text.Trim().Length > 0)
        {
            if (!Format.TryParseDate(EndDate.Text, "End date", out DateOnly end, out problem))
            {
                Problem = problem;
                return null;
            }

            endDate = end;
        }

        ExportRecurrence recurrence = Repeats.Value ?? ExportRecurrence.Once;
        var export = new ExportConfiguration
        {
            Name = NameField.Text.Trim(),
            Audience = AudienceField.Text.Trim(),
            FileNameTemplate = FileName.Text.Trim(),
            Destination = DestinationField.Text.Trim(),
            Encryption = EncryptionField.Text.Trim() is { Length: > 0 } encryption ? encryption : null,
            State = Active.Value == CheckState.Checked ? ExportState.Active : ExportState.Paused,
            Schedule = new ExportSchedule
            {
                Recurrence = recurrence,
                Start = date.ToDateTime(time),
                Days = recurrence == ExportRecurrence.Weekly ? days : [],
                DayOfMonth = dayOfMonth,
                Cron = recurrence == ExportRecurrence.Cron ? Cron.Text.Trim() : null,
                EndDate = recurrence == ExportRecurrence.Once ? null : endDate,
                TimeZone = TimeZone.Text.Trim(),
                CancelWindow = TimeSpan.FromHours(hours),
            },
            Format = new ExportFormat
            {
                Columns = Split(Columns.Text),
                Header = Header.Value == CheckState.Checked,
                FieldDelimiter = FieldDelimiterField.Value ?? FieldDelimiter.Comma,
                RecordDelimiter = RecordDelimiterField.Value ?? RecordDelimiter.Lf,
            },
            Content = Content.Value ?? ContentMode.Full,
            NotifyEmails = Split(Emails.Text),
            CreatedBy = Environment.UserName,
        };
        string client = Client;
        bool editing = _editing is not null;
        return data =>
        {
            try
            {
                export.Schedule.Validate();
            }
            catch (ArgumentException invalid)
            {
                throw new ExportException($"Export \"{export.Name}\": {invalid.Message}", invalid);
            }

            ExportService service = ExportsOverview.Service(data, client);
            return editing ? service.Update(export.Name, _ => export) : service.Create(export);
        };
    }

    /// <summary>The first required field left empty, by its label.</summary>
    private string? Missing() =>
        new (string Label, TextField Field)[]
        {
            ("Audience", AudienceField), ("Export name", NameField), ("File name template", FileName), ("Destination", DestinationField),
            ("Delivery date", DeliveryDate), ("Delivery time", DeliveryTime), ("Time zone", TimeZone), ("Cancel window (h)", CancelWindow), ("Columns", Columns),
        }.FirstOrDefault(f => string.IsNullOrWhiteSpace(f.Field.Text)).Label;

    private bool TryParseTime(out TimeOnly time, out string problem)
    {
        bool ok = TimeOnly.TryParseExact(DeliveryTime.Text.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
        problem = ok ? string.Empty : $"Delivery time: \"{DeliveryTime.Text}\" is not a time; type it as HH:mm (e.g. 06:30).";
        return ok;
    }

    private bool TryParseDays(out IReadOnlyList<DayOfWeek> days, out string problem)
    {
        List<DayOfWeek> parsed = [];
        foreach (string day in Split(WeekDays.Text))
        {
            DayOfWeek[] matches = [.. Enum.GetValues<DayOfWeek>().Where(d => day.Length >= 2 && d.ToString().StartsWith(day, StringComparison.OrdinalIgnoreCase))];
            if (matches.Length != 1)
            {
                days = [];
                problem = $"Weekly: days: \"{day}\" is not a day of the week; type e.g. Mon,Thu.";
                return false;
            }

            parsed.Add(matches[0]);
        }

        days = [.. parsed.Distinct()];
        problem = string.Empty;
        return true;
    }

    /// <summary>A whole number; its range (1-31) is the engine's rule.</summary>
    private bool TryParseDayOfMonth(out int day, out string problem)
    {
        bool ok = int.TryParse(DayOfMonth.Text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out day);
        problem = ok ? string.Empty : $"Monthly: day: \"{DayOfMonth.Text}\" is not a day of the month (1-31).";
        return ok;
    }

    private static bool TryParseNumber(TextField field, string label, out double value, out string problem)
    {
        bool ok = double.TryParse(field.Text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
        problem = ok ? string.Empty : $"{label}: \"{field.Text}\" is not a number.";
        return ok;
    }

    private static string[] Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
