using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Audiences;
using Onboarding.Engine.Clients;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Exports.Notifications;
using Onboarding.Engine.Exports.Scheduling;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;
using Onboarding.Watcher.Hosting;

namespace Onboarding.Watcher.Tests.Exports;

/// <summary>The hosted export scheduler with a fake clock, a real local folder destination and the real smtp-sink peer.</summary>
public sealed class ExportSchedulerServiceTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly DataFolder _data;
    private readonly ExportService _exports;

    public ExportSchedulerServiceTests()
    {
        _time.SetLocalTimeZone(TimeZoneInfo.Utc);
        _data = DataFolder.Open(_folder.File("data"));
        string file = _folder.File("a.csv");
        File.WriteAllText(file, "ID Type,ID,Add,Remove\n" + string.Concat(new[] { "x", "y", "z" }.Select(p => $"HEMSHA2,{Id(p)},G=A,\n")));
        new IngestionService(_data).Ingest(new IngestionRequest(file));
        var audiences = new AudienceService(_data, "default", time: _time);
        audiences.Create("A", "\"G=A\"", "test");
        audiences.Activate("A");
        _exports = new ExportService(_data.Path, "default", time: _time);
        _exports.SetMinimumAudienceSize(1);
        _exports.AddFolderDestination("out", Directory.CreateDirectory(_folder.File("out")).FullName, "test");
    }

    [Fact]
    public async Task OneTimeExport_RunsWhenDue_DeliversTheFile_AndMailsItsAddresses()
    {
        using var sink = new SmtpSinkPeer();
        Once("once", Now.AddHours(1), ["ops@example.com", "data@example.com"]);
        var notifier = new SmtpExportNotifier(new SmtpOptions { Host = SmtpSinkPeer.Host, Port = sink.Port, Tls = SmtpTlsMode.None, From = "onboard@example.com" });
        using var service = new ExportSchedulerService(_data, new ClientWriteLocks(), notifier, _time);
        await service.StartAsync(CancellationToken.None);

        await Task.Delay(200);
        Assert.Empty(Delivered()); // not due yet
        _time.Advance(TimeSpan.FromHours(1));
        string message = sink.WaitForMessages(1)[0];
        await service.StopAsync(CancellationToken.None);

        string delivered = Assert.Single(Delivered());
        Assert.Equal("A_20261123_1000.csv", Path.GetFileName(delivered));
        Assert.Equal(3, File.ReadAllLines(delivered).Length - 1);
        Assert.Contains("Subject: [Onboarding] export once complete: 3 rows", message, StringComparison.Ordinal);
        Assert.Contains("ops@example.com", message, StringComparison.Ordinal);
        Assert.Contains("data@example.com", message, StringComparison.Ordinal);
        ExportRun run = Assert.Single(_exports.Store.ListRuns("once"));
        Assert.Equal((ExportRunState.Complete, "sent to ops@example.com, data@example.com"), (run.State, run.Notification));
        Assert.Single(sink.Messages()); // a one-time export runs once
    }

    [Fact]
    public async Task TheOnboardingHost_RunsDueExports_AndMailsThroughItsSmtpSettings()
    {
        using var sink = new SmtpSinkPeer();
        Once("hosted", Now.AddMinutes(30), ["ops@example.com"]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = _folder.Path, DisableDefaults = true });
        // As OnboardConfiguration reads them from Onboard:Smtp (its own tests cover that binding).
        var options = new WatcherOptions
        {
            DataPath = _data.Path,
            WatchInboxes = false,
            Smtp = new SmtpOptions { Host = SmtpSinkPeer.Host, Port = sink.Port, Tls = SmtpTlsMode.None },
        };
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton(_data);
        builder.Services.AddOnboardingHost(options);
        using IHost host = builder.Build();
        await host.StartAsync();

        _time.Advance(TimeSpan.FromMinutes(30));
        string message = sink.WaitForMessages(1)[0];
        await host.StopAsync();

        Assert.Contains("Subject: [Onboarding] export hosted complete: 3 rows", message, StringComparison.Ordinal);
        Assert.Equal("A_20261123_0930.csv", Path.GetFileName(Assert.Single(Delivered())));
    }

    [Fact]
    public async Task FailedRun_WithoutSmtpConfigured_IsRecordedNotSent_InTheRunsHistory()
    {
        _exports.AddFolderDestination("gone", _folder.File("missing-folder"), "test");
        Once("broken", Now.AddMinutes(-1), ["ops@example.com"], cancelWindow: TimeSpan.Zero, destination: "gone");
        using var service = new ExportSchedulerService(_data, new ClientWriteLocks(), new SmtpExportNotifier(new SmtpOptions()), _time);
        await service.StartAsync(CancellationToken.None);

        await WaitUntil(() => _exports.Store.ListRuns("broken").FirstOrDefault()?.Notification is not null);
        await service.StopAsync(CancellationToken.None);

        ExportRun run = Assert.Single(_exports.Store.ListRuns("broken"));
        Assert.Equal(ExportRunState.Failed, run.State);
        Assert.Equal("recorded, not sent: no SMTP server is configured", run.Notification);
        Assert.StartsWith("failed:", run.RetriesEnded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduledRuns_AreHeldToTheClientsConfiguredMinimum_WhenTheClientHasNoneOfItsOwn()
    {
        _exports.ClearMinimumAudienceSize();
        Once("small", Now.AddMinutes(-1), ["ops@example.com"], cancelWindow: TimeSpan.Zero);
        var clients = new ClientPolicies(clients: new Dictionary<string, ClientPolicy> { ["default"] = new() { Exports = new ExportPolicy { MinimumAudienceSize = 4 } } });
        using var service = new ExportSchedulerService(_data, new ClientWriteLocks(), new SmtpExportNotifier(new SmtpOptions()), _time, clients: clients);
        await service.StartAsync(CancellationToken.None);

        await WaitUntil(() => _exports.Store.ListRuns("small").FirstOrDefault()?.Notification is not null);
        await service.StopAsync(CancellationToken.None);

        ExportRun run = Assert.Single(_exports.Store.ListRuns("small"));
        Assert.Equal(ExportRunState.Failed, run.State);
        Assert.Contains("has 3 members, fewer than client default's minimum export size of 4", run.Error, StringComparison.Ordinal);
        Assert.Empty(Delivered());
    }

    public void Dispose()
    {
        _data.Dispose();
        _folder.Dispose();
    }

    private void Once(string name, DateTimeOffset at, IReadOnlyList<string> notify, TimeSpan? cancelWindow = null, string destination = "out") =>
        _exports.Create(new ExportConfiguration
        {
            Name = name,
            Audience = "A",
            FileNameTemplate = "{audience}_{yyyyMMdd_HHmm}.csv",
            Destination = destination,
            State = ExportState.Active,
            Schedule = new ExportSchedule { Recurrence = ExportRecurrence.Once, Start = at.UtcDateTime, CancelWindow = cancelWindow ?? TimeSpan.FromHours(4) },
            NotifyEmails = notify,
            CreatedBy = "test",
        });

    private string[] Delivered() => [.. Directory.GetFiles(_folder.File("out")).Where(f => !Path.GetFileName(f).StartsWith('.'))];

    private static string Id(string person) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(person)));

    private static async Task WaitUntil(Func<bool> condition)
    {
        // Generous: a loaded CI machine (other test processes in parallel) can be slow.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(25);
        }

        Assert.True(condition(), "timed out");
    }
}
