using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Security;
using Onboarding.Engine.Sftp;
using Onboarding.Engine.Tests.Ingestion;
using static Onboarding.Engine.Tests.Ingestion.IngestionHarness;

namespace Onboarding.Engine.Tests.Exports;

/// <summary>
/// A client with 150 people: 1–120 in Loyalty=Gold, 121–150 in Loyalty=Silver, even ones also in Interest=Golf;
/// the active audience "Gold" (120 members); an export runner with a local folder destination "out".
/// </summary>
internal sealed class ExportHarness : IDisposable
{
    public const int People = 150;
    public const int GoldPeople = 120;

    private readonly TempFolder _folder = new();

    public ExportHarness()
    {
        Ingestion = new IngestionHarness(new IngestionPolicy { MaxRejectedShare = 1, EmptyingGuardMinimumSize = long.MaxValue });
        Time.SetLocalTimeZone(TimeZoneInfo.Utc);
        Ingestion.Ingest(Ingestion.WriteFile([.. Enumerable.Range(1, People).Select(n =>
            Row(n, (n <= GoldPeople ? "Loyalty=Gold" : "Loyalty=Silver") + (n % 2 == 0 ? ";Interest=Golf" : string.Empty)))]));
        Audiences = new AudienceService(Ingestion.Data, "default", time: Time);
        Audiences.Create("Gold", "\"Loyalty=Gold\"", "ana");
        Audiences.Activate("Gold");
        Directory.CreateDirectory(OutFolder);
        Runner = NewRunner();
        Runner.Exports.AddFolderDestination("out", OutFolder, "ana");
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public IngestionHarness Ingestion { get; }

    public AudienceService Audiences { get; private set; }

    public SecretProtector Protector { get; } = SecretProtector.FromKeys(RandomNumberGenerator.GetBytes(32));

    public ExportRunner Runner { get; private set; }

    public ExportService Exports => Runner.Exports;

    public string OutFolder => _folder.File("out");

    public string PathOf(string name) => _folder.File(name);

    /// <summary>As after a restart of the process: the data folder reopened, no ID dictionary open.</summary>
    public void Restart()
    {
        Ingestion.Reopen();
        Audiences = new AudienceService(Ingestion.Data, "default", time: Time);
        Runner = NewRunner();
    }

    public ExportRunner NewRunner() => new(Ingestion.Data, "default", Protector, Time, connector: new SftpConnector(Protector, TimeSpan.FromSeconds(10)));

    /// <summary>A valid export of "Gold" to the folder destination; change what the test is about.</summary>
    public ExportConfiguration Export(string name = "gold-daily", Func<ExportConfiguration, ExportConfiguration>? change = null)
    {
        var export = new ExportConfiguration
        {
            Name = name,
            Audience = "Gold",
            FileNameTemplate = "{audience}_{yyyyMMdd_HHmm}.csv",
            Destination = "out",
            State = ExportState.Active,
            Schedule = new ExportSchedule { Recurrence = ExportRecurrence.Daily, Start = new DateTime(2026, 3, 2, 6, 0, 0) },
            CreatedBy = "ana",
        };
        return Exports.Create(change is null ? export : change(export));
    }

    /// <summary>The ID text of the people, in the order the dictionary gave them ordinals (the ingestion order).</summary>
    public static List<string> IdsOf(IEnumerable<int> people) => [.. people.Select(Id)];

    /// <summary>Files that look delivered (not hidden temporary names).</summary>
    public string[] Delivered() => [.. Directory.GetFiles(OutFolder).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal)];

    public string[] Hidden() => [.. Directory.GetFiles(OutFolder).Select(Path.GetFileName).OfType<string>().Where(n => n.StartsWith('.'))];

    public void Dispose()
    {
        Ingestion.Dispose();
        _folder.Dispose();
    }
}
