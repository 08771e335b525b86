using System.CommandLine;
using System.Globalization;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard segments</c> and <c>onboard segment show</c>.</summary>
internal static class SegmentCommands
{
    public static Command List()
    {
        Option<string?> client = new("--client") { Description = "Only this client's segments (default: every client)." };
        Command command = new("segments", "List segments with their type, size and last update.\n\nExample: onboard segments --client acme --json")
        {
            client,
        };
        command.SetAction(result =>
        {
            using DataFolderLease lease = result.OpenDataFolder();
            DataFolder data = lease.Folder;
            IEnumerable<string> clients = result.GetValue(client) is { } only ? [only] : data.Clients;
            List<SegmentInfo> segments = [.. clients.SelectMany(c => data.Client(c).ListSegments())];
            if (result.GetValue(CommonOptions.Json))
            {
                CliJson.Write<IReadOnlyList<SegmentJson>>(result.Out(), [.. segments.Select(ToJson)], CliJsonContext.Default.IReadOnlyListSegmentJson);
            }
            else
            {
                TableWriter.Write(
                    result.Out(),
                    ["CLIENT", "GROUP", "SEGMENT", "TYPE", "SIZE", "UPDATED"],
                    segments.Select(s => (IReadOnlyList<string>)[s.Client, s.Group, s.Segment, TypeName(s.Type), s.Size.ToString("N0", CultureInfo.InvariantCulture), Time(s.Updated)]));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Show()
    {
        Argument<string> name = new("segment") { Description = "The segment as \"Group=Segment\"." };
        Option<string> client = CommonOptions.Client("The client that owns the segment.");
        Command show = new("show", "Show a segment's details and version history.\n\nExample: onboard segment show \"Loyalty=Gold\" --client acme")
        {
            name,
            client,
        };
        show.SetAction(result =>
        {
            string text = result.GetValue(name)!;
            int split = text.IndexOf('=', StringComparison.Ordinal);
            if (split <= 0 || split == text.Length - 1)
            {
                result.Error().WriteLine($"error: \"{text}\" is not a segment name; write it as \"Group=Segment\".");
                return ExitCodes.Usage;
            }

            using DataFolderLease lease = result.OpenDataFolder();
            DataFolder data = lease.Folder;
            ClientStore store = data.Client(result.GetValue(client)!);
            SegmentInfo? segment = store.FindSegment(text[..split].Trim(), text[(split + 1)..].Trim());
            if (segment is null)
            {
                result.Error().WriteLine($"error: client {store.Name} has no segment \"{text}\".");
                return ExitCodes.Failure;
            }

            IReadOnlyList<SegmentVersionInfo> versions = data.Catalog.Versions(store.Name, segment.Id);
            if (result.GetValue(CommonOptions.Json))
            {
                CliJson.Write(result.Out(), new SegmentDetailJson(ToJson(segment), [.. versions.Select(v => new SegmentVersionJson(v.Version, v.Created, v.Size, v.Added, v.Removed, v.Mode.ToString().ToLowerInvariant(), v.SourceFile))]), CliJsonContext.Default.SegmentDetailJson);
                return ExitCodes.Success;
            }

            result.Out().WriteLine($"{segment.Name}  ({store.Name}, {TypeName(segment.Type)})");
            result.Out().WriteLine($"size {segment.Size:N0}, created {Time(segment.Created)}, updated {Time(segment.Updated)}, version {segment.CurrentVersion}");
            result.Out().WriteLine();
            TableWriter.Write(
                result.Out(),
                ["VERSION", "DATE", "SIZE", "ADDED", "REMOVED", "MODE", "FILE"],
                versions.Select(v => (IReadOnlyList<string>)[v.Version.ToString(CultureInfo.InvariantCulture), Time(v.Created), v.Size.ToString("N0", CultureInfo.InvariantCulture), v.Added.ToString("N0", CultureInfo.InvariantCulture), v.Removed.ToString("N0", CultureInfo.InvariantCulture), v.Mode.ToString().ToLowerInvariant(), v.SourceFile]));
            return ExitCodes.Success;
        });
        return new Command("segment", "Inspect one segment.") { show };
    }

    internal static SegmentJson ToJson(SegmentInfo s) =>
        new(s.Client, s.Group, s.Segment, TypeName(s.Type), s.Size, s.Created, s.Updated, s.CurrentVersion);

    internal static string TypeName(SegmentType type) => type == SegmentType.Static ? "static" : "dynamic";

    internal static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
