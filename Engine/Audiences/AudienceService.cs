using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Audiences.Expressions;
using Onboarding.Engine.Audit;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Audiences;

/// <summary>How long audience memberships are kept.</summary>
public sealed record AudienceOptions
{
    /// <summary>How many processing runs of each audience keep their membership (for diffs and delta exports).</summary>
    public int RunRetention { get; init; } = 90;
}

/// <summary>
/// A client's audiences: drafts that analysts edit, active audiences that are frozen and processed, their size
/// over time, composition, snapshots, overlaps and diffs. The TUI and the CLI call only this.
/// </summary>
public sealed class AudienceService
{
    private readonly ClientStore _store;
    private readonly AudienceFiles _files;
    private readonly AudienceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AuditLog _audit;
    private readonly string _actor;
    private readonly Lock _gate = new();
    private readonly BaseCache _base = new();

    /// <summary>How many audiences are processed at once: enough to overlap one's evaluation with another's fsyncs.</summary>
    private static int ProcessingWorkers => Math.Max(2, Environment.ProcessorCount);

    /// <param name="actor">Who the changes made through this instance are recorded as in the audit log (default: the OS user).</param>
    public AudienceService(DataFolder data, string client, AudienceOptions? options = null, TimeProvider? time = null, ILogger<AudienceService>? logger = null, string? actor = null)
    {
        _store = data.Client(client);
        _audit = AuditLog.For(data.Path, time);
        _actor = actor ?? AuditLog.DefaultActor;
        _files = new AudienceFiles(Path.Combine(_store.Folder, "audiences"));
        _options = options ?? new AudienceOptions();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<AudienceService>.Instance;
    }

    public string Client => _store.Name;

    /// <summary>The audiences matching a keyword (over name and created by), in the order asked for.</summary>
    public IReadOnlyList<Audience> List(string? search = null, AudienceSort sort = AudienceSort.NameAscending)
    {
        IEnumerable<Audience> audiences = Load().Audiences;
        if (!string.IsNullOrWhiteSpace(search))
        {
            string keyword = search.Trim();
            audiences = audiences.Where(a =>
                a.Name.Contains(keyword, StringComparison.OrdinalIgnoreCase) || a.CreatedBy.Contains(keyword, StringComparison.OrdinalIgnoreCase));
        }

        return [.. sort switch
        {
            AudienceSort.NameDescending => audiences.OrderByDescending(a => a.Name, StringComparer.OrdinalIgnoreCase),
            AudienceSort.Newest => audiences.OrderByDescending(a => a.CreatedOn).ThenBy(a => a.Id),
            AudienceSort.Oldest => audiences.OrderBy(a => a.CreatedOn).ThenBy(a => a.Id),
            _ => audiences.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase),
        }];
    }

    public Audience Get(string name) => Find(Load(), name);

    public IReadOnlyList<AudienceSnapshot> Snapshots() => [.. Load().Snapshots.OrderBy(s => s.Created)];

    /// <summary>Checks an expression and returns its canonical text, without saving anything.</summary>
    public string Check(string expression)
    {
        AudienceDocument document = Load();
        return Compile(expression, Sources(document)).ToString();
    }

    /// <summary>The size an expression would have now, and its share of the client's base (0..1).</summary>
    public (long Size, long BaseSize) Preview(string expression)
    {
        var sources = Sources(Load());
        AudienceExpression compiled = Compile(expression, sources);
        return (AudienceEvaluator.Count(compiled, sources), sources.Base().Cardinality);
    }

    public Audience Create(string name, string expression, string createdBy)
    {
        lock (_gate)
        {
            AudienceDocument document = Load();
            name = CheckName(document, name);
            string canonical = Compile(expression, Sources(document, (name, expression)), name).ToString();
            DateTimeOffset now = _time.GetUtcNow();
            var audience = new Audience
            {
                Id = document.NextId++,
                Name = name,
                Expression = canonical,
                Status = AudienceStatus.Draft,
                CreatedBy = createdBy,
                CreatedOn = now,
                ModifiedOn = now,
            };
            document.Audiences.Add(audience);
            _files.Save(document);
            Audit(AuditActions.AudienceCreate, name, canonical, createdBy);
            return audience;
        }
    }

    /// <summary>Changes a draft's definition and/or name. Active and inactive audiences are frozen.</summary>
    public Audience Update(string name, string? expression = null, string? newName = null)
    {
        lock (_gate)
        {
            AudienceDocument document = Load();
            Audience audience = EditableDraft(document, name, "edited");
            if (newName is not null && newName != audience.Name)
            {
                newName = CheckName(document, newName);
                RefuseIfReferenced(document, audience.Name, "renamed");
            }

            string finalName = newName ?? audience.Name;
            string canonical = expression is null
                ? audience.Expression
                : Compile(expression, Sources(document, (finalName, expression)), finalName).ToString();
            Audience updated = audience with { Name = finalName, Expression = canonical, ModifiedOn = _time.GetUtcNow() };
            Replace(document, audience, updated);
            _files.Save(document);
            Audit(AuditActions.AudienceUpdate, name, finalName == name ? canonical : $"renamed to \"{finalName}\"; {canonical}");
            return updated;
        }
    }

    /// <summary>Deletes a draft or an inactive audience (an active one must be deactivated first).</summary>
    public void Delete(string name)
    {
        lock (_gate)
        {
            AudienceDocument document = Load();
            Audience audience = Find(document, name);
            if (audience.Status == AudienceStatus.Active)
            {
                throw new AudienceRuleException($"Audience \"{name}\" is active; deactivate it before deleting it.");
            }

            RefuseIfReferenced(document, name, "deleted");
            document.Audiences.Remove(audience);
            _files.Save(document);
            _files.DeleteAudience(audience.Id);
            Audit(AuditActions.AudienceDelete, name, audience.Expression);
        }
    }

    /// <summary>Freezes a draft (or re-activates an inactive audience) and processes it for today.</summary>
    public Audience Activate(string name)
    {
        lock (_gate)
        {
            AudienceDocument document = Load();
            Audience audience = Find(document, name);
            if (audience.Status == AudienceStatus.Active)
            {
                throw new AudienceRuleException($"Audience \"{name}\" is already active.");
            }

            Compile(audience.Expression, Sources(document));
            Audience active = audience with { Status = AudienceStatus.Active, ActivatedOn = audience.ActivatedOn ?? _time.GetUtcNow() };
            Replace(document, audience, active);
            _files.Save(document);
            Audit(AuditActions.AudienceActivate, name, audience.Expression);
        }

        ProcessAudiences(Today(), only: name);
        return Get(name);
    }

    /// <summary>Stops processing an active audience; it stays read-only.</summary>
    public Audience Deactivate(string name)
    {
        lock (_gate)
        {
            AudienceDocument document = Load();
            Audience audience = Find(document, name);
            if (audience.Status != AudienceStatus.Active)
            {
                throw new AudienceRuleException($"Audience \"{name}\" is not active.");
            }

            Audience inactive = audience with { Status = AudienceStatus.Inactive };
            Replace(document, audience, inactive);
            _files.Save(document);
            Audit(AuditActions.AudienceDeactivate, name);
            return inactive;
        }
    }

    /// <summary>Processes every active audience for a date (default: today in local time).</summary>
    public ProcessingReport Process(DateOnly? date = null) => ProcessAudiences(date ?? Today(), only: null);

    public IReadOnlyList<AudienceSizePoint> History(string name, DateOnly? from = null, DateOnly? to = null) =>
        [.. _files.LoadHistory(Get(name).Id).Where(p => (from is null || p.Date >= from) && (to is null || p.Date <= to))];

    /// <summary>The members of an audience now: its last processing run if it is active, otherwise evaluated live.</summary>
    public RoaringBitmap Members(string name)
    {
        AudienceDocument document = Load();
        Audience audience = Find(document, name);
        if (audience.Status == AudienceStatus.Active && _files.RunDates(audience.Id) is [.., DateOnly last]
            && _files.ReadRun(audience.Id, last) is { } run)
        {
            return _store.WithoutSuppressed(run);
        }

        var sources = Sources(document);
        return AudienceEvaluator.Evaluate(Compile(audience.Expression, sources), sources);
    }

    /// <summary>The members of an audience (as <see cref="Members"/>) or of the snapshot of that name (exports deliver either).</summary>
    public RoaringBitmap MembersOfAudienceOrSnapshot(string name)
    {
        AudienceDocument document = Load();
        return !document.Audiences.Exists(a => a.Name == name) && document.Snapshots.Find(s => s.Name == name) is { } snapshot
            ? _store.WithoutSuppressed(_files.ReadSnapshot(snapshot.Id))
            : Members(name);
    }

    /// <summary>For a group (default: the one with the most segments), how many of the audience are in each segment.</summary>
    public AudienceComposition Composition(string name, string? group = null)
    {
        RoaringBitmap members = Members(name);
        var sources = Sources(Load());
        group ??= sources.Groups.OrderByDescending(g => g.Value.Count).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault()
            ?? throw new AudienceRuleException($"Client {Client} has no segments yet.");
        if (!sources.Groups.TryGetValue(group, out IReadOnlyList<string>? segments))
        {
            throw new AudienceRuleException($"Client {Client} has no group \"{group}\".");
        }

        long size = members.Cardinality;
        var rows = new List<CompositionRow>();
        var inGroup = new List<RoaringBitmap>();
        foreach (string segment in segments.Order(StringComparer.Ordinal))
        {
            RoaringBitmap segmentMembers = sources.Segment(group, segment)!;
            inGroup.Add(segmentMembers);
            long count = members.AndCardinality(segmentMembers);
            rows.Add(new CompositionRow(segment, count, Share(count, size)));
        }

        long none = members.AndNotCardinality(RoaringBitmap.Or(inGroup));
        rows.Add(new CompositionRow(null, none, Share(none, size)));
        return new AudienceComposition(name, group, size, rows);
    }

    /// <summary>Freezes an audience's current membership under a name of its own.</summary>
    public AudienceSnapshot Snapshot(string name, string? snapshotName, string createdBy)
    {
        RoaringBitmap members = Members(name);
        lock (_gate)
        {
            AudienceDocument document = Load();
            Audience audience = Find(document, name);
            DateTimeOffset now = _time.GetUtcNow();
            string finalName = CheckName(document, snapshotName ?? $"{audience.Name} {DateOnly.FromDateTime(_time.GetLocalNow().DateTime):yyyy-MM-dd}");
            var snapshot = new AudienceSnapshot(document.NextId++, finalName, audience.Name, audience.Expression, now, createdBy, members.Cardinality);
            _files.WriteSnapshot(snapshot.Id, members);
            document.Snapshots.Add(snapshot);
            _files.Save(document);
            Audit(AuditActions.AudienceSnapshot, name, $"snapshot \"{finalName}\" of {members.Cardinality:N0} members", createdBy);
            return snapshot;
        }
    }

    /// <summary>Who entered and who left between two processing dates (both must still be kept).</summary>
    public (AudienceDiff Diff, RoaringBitmap Entered, RoaringBitmap Left) Diff(string name, DateOnly from, DateOnly to)
    {
        Audience audience = Get(name);
        RoaringBitmap before = Run(audience, from);
        RoaringBitmap after = Run(audience, to);
        RoaringBitmap entered = after - before;
        RoaringBitmap left = before - after;
        return (new AudienceDiff(name, from, to, before.Cardinality, after.Cardinality, entered.Cardinality, left.Cardinality), entered, left);
    }

    /// <summary>Pairwise intersections of 2–10 items, each an audience or snapshot name or an expression.</summary>
    public OverlapMatrix Overlap(IReadOnlyList<string> items)
    {
        if (items.Count is < 2 or > 10)
        {
            throw new AudienceRuleException($"Overlap compares 2 to 10 audiences or segments; {items.Count} were given.");
        }

        AudienceDocument document = Load();
        var sources = Sources(document);
        List<RoaringBitmap> sets = [.. items.Select(item => AudienceEvaluator.Evaluate(Compile(AsExpression(item, document), sources), sources))];
        long[][] counts = [.. sets.Select(a => sets.Select(b => ReferenceEquals(a, b) ? a.Cardinality : a.AndCardinality(b)).ToArray())];
        return new OverlapMatrix(items, [.. sets.Select(s => s.Cardinality)], counts);
    }

    /// <summary>A member's ID text (for diff and export files).</summary>
    public string FormatMember(uint member) => _store.FormatMember(member);

    private ProcessingReport ProcessAudiences(DateOnly date, string? only)
    {
        long started = _time.GetTimestamp();
        lock (_gate)
        {
            AudienceDocument document = Load();
            StoreAudienceSources sources = Sources(document);
            long baseSize = sources.Base().Cardinality;
            DateTimeOffset now = _time.GetUtcNow();
            List<Audience> due = [.. document.Audiences.Where(a => a.Status == AudienceStatus.Active && (only is null || a.Name == only))];
            var processed = new Audience[due.Count];
            // Audiences are independent (a reference is evaluated from its definition, not from its last run), so
            // they are processed in parallel: one's evaluation overlaps another's fsyncs.
            try
            {
                Parallel.For(0, due.Count, new ParallelOptions { MaxDegreeOfParallelism = ProcessingWorkers }, i =>
                    processed[i] = ProcessOne(due[i], sources, date, baseSize, now));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }

            for (int i = 0; i < due.Count; i++)
            {
                Replace(document, due[i], processed[i]);
            }

            _files.Save(document);
            TimeSpan duration = _time.GetElapsedTime(started);
            _logger.LogInformation("{Client}: processed {Count} audiences for {Date} in {Duration}", Client, processed.Length, date, duration);
            return new ProcessingReport(date, baseSize, processed, duration);
        }
    }

    /// <summary>Evaluates one audience and keeps its membership and size for the date; returns its updated record.</summary>
    private Audience ProcessOne(Audience audience, StoreAudienceSources sources, DateOnly date, long baseSize, DateTimeOffset now)
    {
        RoaringBitmap members = AudienceEvaluator.Evaluate(Compile(audience.Expression, sources, audience.Name), sources, audience.Name);
        members.RunOptimize();
        _files.WriteRun(audience.Id, date, members);
        ApplyRetention(audience.Id);
        List<AudienceSizePoint> history = [.. _files.LoadHistory(audience.Id).Where(p => p.Date != date)];
        history.Add(new AudienceSizePoint(date, members.Cardinality, baseSize, now));
        history.Sort((a, b) => a.Date.CompareTo(b.Date));
        _files.SaveHistory(audience.Id, history);
        return audience with { LastProcessed = now, Size = members.Cardinality, ShareOfBase = Share(members.Cardinality, baseSize) };
    }

    private void ApplyRetention(int audienceId)
    {
        IReadOnlyList<DateOnly> dates = _files.RunDates(audienceId);
        for (int i = 0; i < dates.Count - _options.RunRetention; i++)
        {
            _files.DeleteRun(audienceId, dates[i]);
        }
    }

    private RoaringBitmap Run(Audience audience, DateOnly date)
    {
        if (_files.ReadRun(audience.Id, date) is { } run)
        {
            return _store.WithoutSuppressed(run);
        }

        string kept = string.Join(", ", _files.RunDates(audience.Id).Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        throw new AudienceRuleException(
            $"Audience \"{audience.Name}\" has no membership kept for {date:yyyy-MM-dd}; kept dates: {(kept.Length > 0 ? kept : "none")}.");
    }

    private static AudienceExpression Compile(string text, IAudienceSources sources, string? audienceName = null)
    {
        AudienceExpression expression = AudienceExpression.Parse(text);
        expression.Validate(sources, audienceName);
        return expression;
    }

    /// <summary>
    /// An overlap item: the name of an audience or snapshot means that one (even "Silver or Gold"); otherwise a
    /// bare word is a name too, and anything that looks like an expression is one.
    /// </summary>
    private static string AsExpression(string item, AudienceDocument document)
    {
        bool named = document.Audiences.Exists(a => a.Name == item.Trim()) || document.Snapshots.Exists(s => s.Name == item.Trim());
        bool expression = item.TrimStart() is ['"' or '@' or '(', ..] || item.Contains(" AND ", StringComparison.OrdinalIgnoreCase) || item.Contains(" OR ", StringComparison.OrdinalIgnoreCase);
        return named || !expression ? new ReferenceTerm(item).ToString() : item;
    }

    private StoreAudienceSources Sources(AudienceDocument document, (string Name, string Expression)? pending = null) =>
        new(_store, document, _files, _base, pending);

    private void Audit(string action, string audience, string? details = null, string? actor = null) =>
        _audit.Record(actor ?? _actor, action, Client, audience, details);

    private DateOnly Today() => DateOnly.FromDateTime(_time.GetLocalNow().DateTime);

    private static double Share(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    private AudienceDocument Load() => _files.Load();

    private Audience Find(AudienceDocument document, string name) =>
        document.Audiences.Find(a => a.Name == name)
        ?? throw new AudienceRuleException($"Client {Client} has no audience \"{name}\".");

    private Audience EditableDraft(AudienceDocument document, string name, string verb)
    {
        Audience audience = Find(document, name);
        return audience.Status switch
        {
            AudienceStatus.Draft => audience,
            AudienceStatus.Active => throw new AudienceRuleException(
                $"Audience \"{name}\" is active: its definition was frozen when it was activated on {audience.ActivatedOn:yyyy-MM-dd} and cannot be {verb}. Create a new draft instead."),
            _ => throw new AudienceRuleException(
                $"Audience \"{name}\" is inactive and read-only; it cannot be {verb}. Create a new draft instead."),
        };
    }

    private static string CheckName(AudienceDocument document, string name)
    {
        name = name.Trim();
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            throw new AudienceRuleException("An audience name must not be empty or hold control characters.");
        }

        if (document.Audiences.Exists(a => a.Name == name) || document.Snapshots.Exists(s => s.Name == name))
        {
            throw new AudienceRuleException($"An audience or snapshot named \"{name}\" already exists.");
        }

        return name;
    }

    private static void RefuseIfReferenced(AudienceDocument document, string name, string verb)
    {
        List<string> users = [.. document.Audiences.Where(a => a.Name != name && AudienceExpression.Parse(a.Expression).ReferencedAudiences.Contains(name)).Select(a => a.Name)];
        if (users.Count > 0)
        {
            throw new AudienceRuleException($"Audience \"{name}\" cannot be {verb}: {string.Join(", ", users.Select(u => $"\"{u}\""))} refer to it.");
        }
    }

    private static void Replace(AudienceDocument document, Audience old, Audience updated) =>
        document.Audiences[document.Audiences.IndexOf(old)] = updated;
}

/// <summary>Orders of the audience list, as the dashboard offers them.</summary>
public enum AudienceSort
{
    NameAscending,
    NameDescending,
    Newest,
    Oldest,
}
