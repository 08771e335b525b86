using Onboarding.Engine.Ids;

namespace Onboarding.Engine.Ingestion;

/// <summary>
/// Accepted rows of one ID type held back until there are enough to resolve their IDs in one dictionary call
/// (the batch form overlaps the cache misses of many lookups), and to hand them to the thread that does so.
/// Their segment operations are then applied in file order, so the result is the same as row by row.
/// </summary>
internal sealed class RowBatch
{
    public const int Capacity = 4096;
    private const int MaxKeyLength = 32;

    private readonly byte[] _ids = new byte[Capacity * MaxKeyLength];
    private readonly uint[] _members = new uint[Capacity];
    private readonly int[] _opsEnd = new int[Capacity];
    private int[] _ops = new int[Capacity * 2]; // segment index for an add, ~index for a remove
    private int _opCount;
    private int _count;
    private IdType _type;

    /// <summary>Adds a row unless the batch is full or holds another ID type; then apply it and retry.</summary>
    public bool TryAdd(IdType type, ReadOnlySpan<byte> id, ReadOnlySpan<int> adds, ReadOnlySpan<int> removes)
    {
        if (_count == Capacity || (_count > 0 && type != _type))
        {
            return false;
        }

        _type = type;
        id.CopyTo(_ids.AsSpan(_count * id.Length));
        int needed = _opCount + adds.Length + removes.Length;
        if (needed > _ops.Length)
        {
            Array.Resize(ref _ops, Math.Max(needed, _ops.Length * 2));
        }

        foreach (int index in adds)
        {
            _ops[_opCount++] = index;
        }

        foreach (int index in removes)
        {
            _ops[_opCount++] = ~index;
        }

        _opsEnd[_count++] = _opCount;
        return true;
    }

    /// <summary>
    /// Resolves the held IDs to members and appends their operations to the segments' operations
    /// (<paramref name="operations"/> by segment index, as the rows give them), then empties the batch.
    /// </summary>
    public void Apply(MemberResolver resolver, SegmentOperations?[] operations)
    {
        if (_count == 0)
        {
            return;
        }

        int keyLength = IdTypes.ByteLength(_type);
        Span<uint> members = _members.AsSpan(0, _count);
        resolver.Resolve(_type, _ids.AsSpan(0, _count * keyLength), members);
        int op = 0;
        for (int row = 0; row < members.Length; row++)
        {
            for (; op < _opsEnd[row]; op++)
            {
                int index = _ops[op];
                if (index >= 0)
                {
                    operations[index]!.Add(members[row]);
                }
                else
                {
                    operations[~index]!.Remove(members[row]);
                }
            }
        }

        _count = 0;
        _opCount = 0;
    }
}
