using Onboarding.Engine.Exports;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Privacy;
using static Onboarding.Engine.Tests.Ingestion.IngestionHarness;

namespace Onboarding.Engine.Tests.Exports;

/// <summary>
/// A forgotten ID (<c>onboard forget</c>) is never exported again: not in a full export, not from a snapshot taken
/// before it was forgotten, not as an added or a removed line of a delta, even after a later upload sends it again.
/// </summary>
public sealed class ForgottenIdExportTests : IDisposable
{
    private const int Forgotten = 1;
    private readonly ExportHarness _h = new();

    [Fact]
    public async Task FullExport_LeavesTheForgottenIdOut_AfterAReuploadToo()
    {
        _h.Export("full");
        Assert.Contains(Id(Forgotten), await RunAsync("full"), StringComparison.Ordinal); // the test can see it when it is there

        ForgetAndUploadAgain();
        string file = await RunAsync("full");

        Assert.DoesNotContain(Id(Forgotten), file, StringComparison.Ordinal);
        Assert.Contains(Id(2), file, StringComparison.Ordinal);
        Assert.Equal(ExportHarness.GoldPeople - 1, file.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
    }

    [Fact]
    public async Task SnapshotTakenBeforeTheForget_IsExportedWithoutTheForgottenId()
    {
        _h.Audiences.Snapshot("Gold", "gold-before", "ana");
        _h.Export("snap", e => e with { Audience = "gold-before" });

        ForgetAndUploadAgain();
        string file = await RunAsync("snap");

        Assert.DoesNotContain(Id(Forgotten), file, StringComparison.Ordinal);
        Assert.Contains(Id(2), file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeltaExport_NeverWritesTheForgottenId_AsAddedOrRemoved()
    {
        _h.Export("delta", e => e with { Content = ContentMode.Delta });
        Assert.Contains(Id(Forgotten), await RunAsync("delta"), StringComparison.Ordinal); // delivered once as added

        ForgetAndUploadAgain(); // it left Gold, and the upload sends it again: neither may show
        string afterForget = await RunAsync("delta");
        _h.Ingestion.Ingest(_h.Ingestion.WriteFile(Row(Forgotten, "Loyalty=Gold"), Row(ExportHarness.People + 1, "Loyalty=Gold")));
        string later = await RunAsync("delta");

        Assert.DoesNotContain(Id(Forgotten), afterForget, StringComparison.Ordinal);
        Assert.DoesNotContain(Id(Forgotten), later, StringComparison.Ordinal);
        Assert.Contains(Id(ExportHarness.People + 1), later, StringComparison.Ordinal); // the delta did see the upload
    }

    public void Dispose() => _h.Dispose();

    private void ForgetAndUploadAgain()
    {
        new ErasureService(_h.Ingestion.Data, _h.Time).Apply(new ErasureRequest("default", IdType.HemSha2, [Id(Forgotten)]));
        _h.Ingestion.Ingest(_h.Ingestion.WriteFile(Row(Forgotten, "Loyalty=Gold;Interest=Golf")));
    }

    private async Task<string> RunAsync(string export)
    {
        _h.Time.Advance(TimeSpan.FromDays(1));
        _h.Audiences.Process(DateOnly.FromDateTime(_h.Time.GetUtcNow().UtcDateTime)); // the nightly processing: uploads reach the audience
        ExportRun run = await _h.Runner.RunAsync(export, _h.Time.GetUtcNow(), CancellationToken.None);
        Assert.True(run.State == ExportRunState.Complete, run.Error);
        return await File.ReadAllTextAsync(Path.Combine(_h.OutFolder, run.FileName!));
    }
}
