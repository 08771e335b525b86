using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Onboarding.Engine.Audit;
using Onboarding.Engine.Bitmaps;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Segments;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Privacy;

/// <summary>IDs of one type to forget (or, with <see cref="Undo"/>, to allow again) for one client.</summary>
public sealed record ErasureRequest(string Client, IdType IdType, IReadOnlyList<string> Ids)
{
    /// <summary>Take the IDs out of the suppression set: later uploads may add them again. Removed memberships are not restored.</summary>
    public bool Undo { get; init; }

    /// <summary>Who asked, for the audit log (default: the OS user).</summary>
    public string? Actor { get; init; }

    /// <summary>Where the IDs came from (a file name), for the audit log.</summary>
    public string? Source { get; init; }
}

/// <summary>What a forget (or undo) changed.</summary>
public sealed record ErasureResult(string Client, bool Undo, int IdsGiven, long SuppressionChanged, long SuppressedTotal, IReadOnlyList<SegmentOutcome> Segments);

/// <summary>
/// The right to erasure. Forgetting IDs adds them to the client's suppression set and removes them from every
/// current segment (static ones too), in one commit through the client's journal: either every segment loses them
/// and the suppression set holds them, or nothing changed. From then on ingestion leaves them out of every upload,
/// and audience reads of stored memberships (snapshots, processing runs) leave them out, so no audience, preview,
/// composition, snapshot or export sees them again until they are explicitly allowed again with an undo.
/// </summary>
/// <remarks>Callers run one writer per client: hold the client's write lock (the inbox's <c>ClientWriteLocks</c>) around it.</remarks>
public sealed class ErasureService(DataFolder data, TimeProvider? time = null, ILogger<ErasureService>? logger = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger<ErasureService>.Instance;

    /// <summary>Forgets (or un-forgets) the IDs. Throws <see cref="ArgumentException"/> naming the first bad ID; then nothing changed.</summary>
    public ErasureResult Apply(ErasureRequest request)
    {
        if (request.Ids.Count == 0)
        {
            throw new ArgumentException("No IDs were given to forget.", nameof(request));
        }

        ClientStore store = data.Client(request.Client);
        byte[][] ids = Parse(request);
        RoaringBitmap members = Resolve(store.Dictionary(request.IdType), request.IdType, ids, add: !request.Undo);
        RoaringBitmap before = store.Suppressed;
        RoaringBitmap suppressed = request.Undo ? before - members : before | members;
        long changed = request.Undo ? before.AndCardinality(members) : members.AndNotCardinality(before);

        var versions = new List<(SegmentChange, RoaringBitmap)>();
        var outcomes = new List<SegmentOutcome>();
        if (!request.Undo)
        {
            foreach (SegmentInfo segment in store.ListSegments())
            {
                RoaringBitmap current = store.ReadMembers(segment);
                long removed = current.AndCardinality(members);
                if (removed == 0)
                {
                    continue;
                }

                RoaringBitmap after = current - members;
                versions.Add((new SegmentChange(segment.Id, segment.Group, segment.Segment, segment.Type, segment.CurrentVersion + 1, after.Cardinality, 0, removed), after));
                outcomes.Add(new SegmentOutcome(segment.Group, segment.Segment, segment.Type, false, current.Cardinality, after.Cardinality, 0, removed));
            }
        }

        DateTimeOffset now = _time.GetUtcNow();
        string verb = request.Undo ? "forget --undo" : "forget";
        var entry = new JournalEntry
        {
            Sequence = store.NextSequence,
            FileName = string.Create(CultureInfo.InvariantCulture, $"({verb}: {ids.Length} {IdTypes.FileName(request.IdType)} IDs)"),
            ContentHash = $"{verb}:{Fingerprint(members)}",
            Mode = IngestionMode.Delta,
            Received = now,
            Completed = now,
            Outcome = FileOutcome.Applied,
            RowsRead = ids.Length,
            RowsApplied = ids.Length,
            Changes = [.. versions.Select(v => v.Item1)],
            Suppression = new SuppressionChange(store.SuppressionVersion + 1, suppressed.Cardinality, request.Undo ? 0 : changed, request.Undo ? changed : 0),
        };
        suppressed.RunOptimize();
        store.Commit(entry, versions, suppressed);

        var result = new ErasureResult(store.Name, request.Undo, ids.Length, changed, suppressed.Cardinality, outcomes);
        string details = request.Undo
            ? string.Create(CultureInfo.InvariantCulture, $"{changed} IDs allowed again; {suppressed.Cardinality} stay forgotten")
            : string.Create(CultureInfo.InvariantCulture, $"{changed} IDs newly forgotten; removed from {outcomes.Count} segments ({outcomes.Sum(o => o.Removed)} memberships)");
        data.Audit.Record(request.Actor ?? AuditLog.DefaultActor, request.Undo ? AuditActions.ForgetUndo : AuditActions.Forget, store.Name,
            string.Create(CultureInfo.InvariantCulture, $"{ids.Length} {IdTypes.FileName(request.IdType)} IDs{(request.Source is null ? string.Empty : " from " + request.Source)}"), details);
        _logger.LogInformation("{Client}: {Verb} {Count} IDs: {Details}", store.Name, verb, ids.Length, details);
        return result;
    }

    private static byte[][] Parse(ErasureRequest request)
    {
        int length = IdTypes.ByteLength(request.IdType);
        var ids = new byte[request.Ids.Count][];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = new byte[length];
            string text = request.Ids[i].Trim();
            if (!IdCodec.TryParse(request.IdType, text, ids[i], out string? error))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"ID {i + 1} (\"{(text.Length > 80 ? text[..80] + "…" : text)}\") is not a valid {IdTypes.FileName(request.IdType)}: {error}; nothing was forgotten."));
            }
        }

        return ids;
    }

    /// <summary>
    /// The member values of the IDs. Forgetting gives unknown IDs an ordinal, so an upload that brings them later
    /// meets the suppression set; an undo only needs the IDs the dictionary knows.
    /// </summary>
    private static RoaringBitmap Resolve(IdDictionary dictionary, IdType type, byte[][] ids, bool add)
    {
        var members = new RoaringBitmap();
        foreach (byte[] id in ids)
        {
            if (add)
            {
                members.Add(MemberSpace.ToMember(type, dictionary.GetOrAdd(id)));
            }
            else if (dictionary.TryGetOrdinal(id, out uint ordinal))
            {
                members.Add(MemberSpace.ToMember(type, ordinal));
            }
        }

        return members;
    }

    private static string Fingerprint(RoaringBitmap members)
    {
        using var buffer = new MemoryStream();
        members.Serialize(buffer);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }
}
