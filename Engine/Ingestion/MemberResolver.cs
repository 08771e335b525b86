using System.Runtime.InteropServices;
using Onboarding.Engine.Ids;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.Ingestion;

/// <summary>
/// Turns a row's binary ID into the member value segments hold. For a real ingestion new IDs get ordinals
/// from the client's dictionary; a dry run must not touch the dictionary, so new IDs get provisional values
/// that are thrown away with the run.
/// </summary>
internal sealed class MemberResolver(ClientStore store, bool dryRun)
{
    private readonly Dictionary<(IdType, UInt128, UInt128), uint> _provisional = [];
    private readonly Dictionary<IdType, long> _nextProvisional = [];

    public long NewIds { get; private set; }

    /// <summary>Resolves <c>members.Length</c> IDs of one type laid end to end in <paramref name="ids"/>.</summary>
    public void Resolve(IdType type, ReadOnlySpan<byte> ids, Span<uint> members)
    {
        if (dryRun)
        {
            int keyLength = ids.Length / members.Length;
            for (int i = 0; i < members.Length; i++)
            {
                members[i] = Resolve(type, ids.Slice(i * keyLength, keyLength));
            }

            return;
        }

        IdDictionary dictionary = store.Dictionary(type);
        long before = dictionary.Count;
        dictionary.GetOrAdd(ids, members);
        NewIds += dictionary.Count - before;
        for (int i = 0; i < members.Length; i++)
        {
            members[i] = MemberSpace.ToMember(type, members[i]);
        }
    }

    public uint Resolve(IdType type, ReadOnlySpan<byte> id)
    {
        IdDictionary dictionary = store.Dictionary(type);
        if (!dryRun)
        {
            long before = dictionary.Count;
            uint ordinal = dictionary.GetOrAdd(id);
            NewIds += dictionary.Count - before;
            return MemberSpace.ToMember(type, ordinal);
        }

        if (dictionary.TryGetOrdinal(id, out uint existing))
        {
            return MemberSpace.ToMember(type, existing);
        }

        ref uint provisional = ref CollectionsMarshal.GetValueRefOrAddDefault(_provisional, Key(type, id), out bool found);
        if (!found)
        {
            ref long next = ref CollectionsMarshal.GetValueRefOrAddDefault(_nextProvisional, type, out bool started);
            if (!started)
            {
                next = dictionary.Count;
            }

            provisional = MemberSpace.ToMember(type, checked((uint)next++));
            NewIds++;
        }

        return provisional;
    }

    private static (IdType, UInt128, UInt128) Key(IdType type, ReadOnlySpan<byte> id)
    {
        Span<byte> padded = stackalloc byte[32];
        padded.Clear();
        id.CopyTo(padded);
        return (type, MemoryMarshal.Read<UInt128>(padded), MemoryMarshal.Read<UInt128>(padded[16..]));
    }
}
