using Microsoft.Extensions.Time.Testing;
using Onboarding.Engine.Inbox;

namespace Onboarding.Engine.Tests.Inbox;

/// <summary>Symbolic links in an inbox are never followed: not as files, not as client or mode folders, not as renames.</summary>
public sealed class InboxSymlinkTests : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);
    private readonly TempFolder _inbox = new();
    private readonly TempFolder _outside = new();
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Rescan_TakesRealFilesOnly_LinkedFilesAndFoldersAreIgnored()
    {
        File.WriteAllText(_outside.File("secret.csv"), "ID Type,ID,Add,Remove\n");
        Directory.CreateDirectory(_outside.File("elsewhere"));
        File.WriteAllText(Path.Combine(_outside.File("elsewhere"), "x.csv"), "x");
        File.WriteAllText(Path.Combine(_inbox.Path, "real.csv"), "x");
        File.CreateSymbolicLink(Path.Combine(_inbox.Path, "linked.csv"), _outside.File("secret.csv"));
        Directory.CreateSymbolicLink(Path.Combine(_inbox.Path, "acme"), _outside.File("elsewhere")); // a linked client folder
        Directory.CreateDirectory(Path.Combine(_inbox.Path, "beta"));
        Directory.CreateSymbolicLink(Path.Combine(_inbox.Path, "beta", "full"), _outside.File("elsewhere")); // a linked mode folder
        var scanner = new InboxScanner(_inbox.Path, Settle, _time);

        scanner.Rescan();
        _time.Advance(Settle * 2);

        Assert.Equal([Path.Combine(_inbox.Path, "real.csv")], scanner.Poll().Select(f => f.Path));
        Assert.Equal(0, scanner.PendingCount);
    }

    [Fact]
    public void ObserveOrRenameOfALinkedPath_IsIgnored_EvenInsideAValidFolder()
    {
        File.WriteAllText(_outside.File("secret.csv"), "x");
        Directory.CreateDirectory(_outside.File("elsewhere"));
        File.WriteAllText(Path.Combine(_outside.File("elsewhere"), "x.csv"), "x");
        string link = Path.Combine(_inbox.Path, "linked.csv");
        File.CreateSymbolicLink(link, _outside.File("secret.csv"));
        Directory.CreateSymbolicLink(Path.Combine(_inbox.Path, "acme"), _outside.File("elsewhere"));
        var scanner = new InboxScanner(_inbox.Path, Settle, _time);

        Assert.Null(scanner.Renamed(link));
        Assert.Null(scanner.Renamed(Path.Combine(_inbox.Path, "acme", "x.csv")));
        scanner.Observe(link);
        scanner.Observe(Path.Combine(_inbox.Path, "acme", "x.csv"));
        _time.Advance(Settle * 2);
        Assert.Empty(scanner.Poll());
    }

    [Theory]
    [InlineData("../escape.csv")]
    [InlineData("acme/../../escape.csv")]
    [InlineData("/etc/passwd")]
    [InlineData("acme/full/deeper/x.csv")]
    [InlineData("..")]
    public void Classify_PathsOutsideOrTooDeep_AreNotInboxFiles(string relative) =>
        Assert.Null(InboxConvention.Classify(_inbox.Path, Path.GetFullPath(Path.Combine(_inbox.Path, relative))));

    public void Dispose()
    {
        _inbox.Dispose();
        _outside.Dispose();
    }
}
