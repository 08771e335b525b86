using Onboarding.Engine.Audit;
using Onboarding.Engine.Exports;

namespace Onboarding.Engine.Tests.Exports;

/// <summary>The minimum export size: the one set for the client wins; without one, the configured <see cref="ExportPolicy"/> applies.</summary>
public sealed class MinimumAudienceSizeTests : IDisposable
{
    private readonly ExportHarness _h = new();

    [Fact]
    public void WithNothingConfiguredOrSet_ItIs100()
    {
        Assert.Equal(new EffectiveMinimumAudienceSize(100, SettingSource.Configuration), _h.Exports.MinimumAudienceSize());
    }

    [Fact]
    public async Task TheConfiguredMinimum_AppliesToAClientWithoutItsOwn()
    {
        _h.Export();
        ExportRunner runner = Runner(configured: 121);

        ExportRun run = await runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);

        Assert.Equal(new EffectiveMinimumAudienceSize(121, SettingSource.Configuration), runner.Exports.MinimumAudienceSize());
        Assert.Equal(ExportRunState.Failed, run.State);
        Assert.Contains("fewer than client default's minimum export size of 121", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_h.OutFolder));
    }

    [Fact]
    public async Task TheClientsOwnMinimum_WinsOverTheConfiguredOne_UntilCleared()
    {
        _h.Export();
        ExportRunner runner = Runner(configured: 121);

        EffectiveMinimumAudienceSize set = runner.Exports.SetMinimumAudienceSize(100);
        ExportRun delivered = await runner.RunAsync("gold-daily", _h.Time.GetUtcNow(), CancellationToken.None);
        EffectiveMinimumAudienceSize cleared = runner.Exports.ClearMinimumAudienceSize();
        ExportRun refused = await runner.RunAsync("gold-daily", _h.Time.GetUtcNow().AddDays(1), CancellationToken.None);

        Assert.Equal(new EffectiveMinimumAudienceSize(100, SettingSource.Client, _h.Time.GetUtcNow(), AuditLog.DefaultActor), set);
        Assert.Equal((ExportRunState.Complete, 120L), (delivered.State, delivered.Rows));
        Assert.Equal(new EffectiveMinimumAudienceSize(121, SettingSource.Configuration), cleared);
        Assert.Equal(ExportRunState.Failed, refused.State);
    }

    [Fact]
    public void AValueStoredBeforeItsDateWasRecorded_StillCountsAsTheClientsOwn()
    {
        _h.Exports.Store.WriteSettings(new ExportSettings { MinimumAudienceSize = 5 });

        Assert.Equal(new EffectiveMinimumAudienceSize(5, SettingSource.Client), Runner(configured: 121).Exports.MinimumAudienceSize());
    }

    [Fact]
    public void ALimitBelowOne_IsRefused_AndNothingChanges()
    {
        var error = Assert.Throws<ExportException>(() => _h.Exports.SetMinimumAudienceSize(0));

        Assert.Equal("The minimum audience size must be at least 1, not 0.", error.Message);
        Assert.Equal(SettingSource.Configuration, _h.Exports.MinimumAudienceSize().Source);
    }

    private ExportRunner Runner(long configured) =>
        new(_h.Ingestion.Data, "default", _h.Protector, _h.Time, policy: new ExportPolicy { MinimumAudienceSize = configured });

    public void Dispose() => _h.Dispose();
}
