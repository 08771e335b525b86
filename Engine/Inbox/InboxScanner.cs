namespace Onboarding.Engine.Inbox;

/// <summary>
/// Decides when a file in the inbox is complete. A file renamed into the inbox (from a <c>.part</c>/<c>.tmp</c> or
/// dot name, or from another folder of the inbox) is complete at once; any other file is complete once its size
/// and modification time have stayed the same for the settle period, measured on the <see cref="TimeProvider"/>.
/// A client's files are handed out in the order they were first seen: a complete file waits behind an earlier file
/// of its client that is still settling (after a restart, the files found waiting settle again, and a file renamed
/// in meanwhile must not overtake them). Not thread-safe: <see cref="LocalInbox"/> calls it from one loop.
/// </summary>
public sealed class InboxScanner(string inbox, TimeSpan settlePeriod, TimeProvider time)
{
    private readonly Dictionary<string, Candidate> _candidates = new(StringComparer.Ordinal);
    private long _order;

    public string Inbox { get; } = Path.GetFullPath(inbox);

    /// <summary>Files seen but not yet complete.</summary>
    public int PendingCount => _candidates.Count;

    /// <summary>A file appeared or changed: (re)start its settle period when its size or time differs.</summary>
    public void Observe(string path)
    {
        if (Classify(path) is not { } file || Stat(path) is not { } stat)
        {
            return;
        }

        if (_candidates.TryGetValue(path, out Candidate? candidate))
        {
            if (candidate.Length != stat.Length || candidate.Modified != stat.Modified)
            {
                _candidates[path] = candidate with { Length = stat.Length, Modified = stat.Modified, StableSince = time.GetTimestamp() };
            }

            return;
        }

        _candidates[path] = new Candidate(file.Client, stat.Length, stat.Modified, time.GetTimestamp(), ++_order, Renamed: false);
    }

    /// <summary>
    /// A file was renamed into place: it is complete now, or null when the convention ignores it or when it waits
    /// behind an earlier file of its client (<see cref="Poll"/> hands it out after that one).
    /// </summary>
    public InboxFile? Renamed(string path)
    {
        _candidates.Remove(path);
        if (Classify(path) is not { } file || Stat(path) is not { } stat)
        {
            return null;
        }

        if (!_candidates.Values.Any(c => c.Client == file.Client))
        {
            return file;
        }

        _candidates[path] = new Candidate(file.Client, stat.Length, stat.Modified, time.GetTimestamp(), ++_order, Renamed: true);
        return null;
    }

    /// <summary>Observes every file the convention covers (events are lost; this finds what they missed).</summary>
    public void Rescan(Func<string, bool>? skip = null)
    {
        var files = new List<FileInfo>();
        foreach ((string folder, _, _) in InboxConvention.Folders(Inbox))
        {
            try
            {
                files.AddRange(new DirectoryInfo(folder).EnumerateFiles().Where(f => f.LinkTarget is null));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The folder went away while listing it; the next rescan sees what is there then.
            }
        }

        // Oldest first, across every folder, so a client's files keep the order they were written in.
        foreach (FileInfo file in files.OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.FullName, StringComparer.Ordinal))
        {
            if (skip?.Invoke(file.FullName) != true)
            {
                Observe(file.FullName);
            }
        }
    }

    /// <summary>Checks every candidate; returns those complete now and not behind an unsettled file of their client, in the order they were first seen.</summary>
    public IReadOnlyList<InboxFile> Poll()
    {
        var complete = new List<InboxFile>();
        var settling = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string path, Candidate candidate) in _candidates.OrderBy(c => c.Value.Order).ToList())
        {
            if (Stat(path) is not { } stat || Classify(path) is not { } file)
            {
                _candidates.Remove(path);
                continue;
            }

            if (!candidate.Renamed && (stat.Length != candidate.Length || stat.Modified != candidate.Modified))
            {
                _candidates[path] = candidate with { Length = stat.Length, Modified = stat.Modified, StableSince = time.GetTimestamp() };
                settling.Add(candidate.Client);
            }
            else if (!candidate.Renamed && time.GetElapsedTime(candidate.StableSince) < settlePeriod)
            {
                settling.Add(candidate.Client);
            }
            else if (!settling.Contains(candidate.Client))
            {
                _candidates.Remove(path);
                complete.Add(file);
            }
        }

        return complete;
    }

    /// <summary>Stops tracking a file (e.g. it was taken by a rename event).</summary>
    public void Forget(string path) => _candidates.Remove(path);

    /// <summary>The convention's reading of a path, or null when it is ignored or reached through a symbolic link.</summary>
    public InboxFile? Classify(string path)
    {
        InboxFile? file = InboxConvention.Classify(Inbox, path);
        return file is not null && !ThroughLink(path) ? file : null;
    }

    private bool ThroughLink(string path)
    {
        for (string? current = path; current is not null && current.Length > Inbox.Length; current = Path.GetDirectoryName(current))
        {
            FileSystemInfo info = current == path ? new FileInfo(current) : new DirectoryInfo(current);
            if (info.LinkTarget is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static (long Length, DateTime Modified)? Stat(string path)
    {
        var info = new FileInfo(path);
        try
        {
            return info.Exists ? (info.Length, info.LastWriteTimeUtc) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private sealed record Candidate(string Client, long Length, DateTime Modified, long StableSince, long Order, bool Renamed);
}
