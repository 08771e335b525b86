using System.Text;
using System.Text.Unicode;

namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>The parsed segments of one <c>Add</c> or <c>Remove</c> cell.</summary>
internal readonly struct SegmentCell(SegmentName[]? names, int[]? indexes, int count)
{
    public ReadOnlySpan<SegmentName> Names => new(names, 0, count);

    public ReadOnlySpan<int> Indexes => new(indexes, 0, count);

    public int Count => count;
}

/// <summary>Why a segment cell is invalid, with the offending value already shortened.</summary>
internal sealed record CellError(string Reason, string Value);

/// <summary>
/// Parses <c>Add</c>/<c>Remove</c> cells (<c>Group=Segment</c> entries separated by <c>;</c>, <c>\;</c> a literal
/// semicolon) and interns their segments. A cell seen before costs one dictionary lookup by its bytes; a new cell
/// made of known entries costs a lookup per entry; only a new entry decodes text and allocates strings.
/// </summary>
internal sealed class SegmentTable
{
    private const int MaxCachedEntries = 1 << 20;

    private readonly int _maxCachedCells;
    private readonly int _maxErrorValueLength;
    private readonly List<SegmentName> _segments = [];
    private readonly Dictionary<SegmentName, int> _indexByName = [];
    private readonly Dictionary<byte[], int> _entries = new(ByteContentComparer.Instance);
    private readonly Dictionary<byte[], CachedCell> _cells = new(ByteContentComparer.Instance);
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _entryLookup;
    private readonly Dictionary<byte[], CachedCell>.AlternateLookup<ReadOnlySpan<byte>> _cellLookup;
    private readonly Scratch[] _scratch = [new(), new()];

    public SegmentTable(int maxCachedCells, int maxErrorValueLength)
    {
        _maxCachedCells = maxCachedCells;
        _maxErrorValueLength = maxErrorValueLength;
        _entryLookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
        _cellLookup = _cells.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Every distinct segment met so far; a segment's position is its index.</summary>
    public IReadOnlyList<SegmentName> Segments => _segments;

    /// <summary>Parses a cell. <paramref name="slot"/> (0 or 1) picks the scratch buffers used when the cell is not cached,
    /// so the results of two cells of one row can be alive at once.</summary>
    public bool TryParse(ReadOnlySpan<byte> cell, int slot, out SegmentCell result, out CellError? error)
    {
        if (cell.IsEmpty)
        {
            result = default;
            error = null;
            return true;
        }

        if (_cellLookup.TryGetValue(cell, out CachedCell? cached))
        {
            result = cached.Cell;
            error = cached.Error;
            return error is null;
        }

        Scratch scratch = _scratch[slot];
        scratch.Count = 0;
        error = Parse(cell, scratch);
        if (_cells.Count < _maxCachedCells)
        {
            cached = new CachedCell(
                error is null ? new SegmentCell(scratch.Names[..scratch.Count], scratch.Indexes[..scratch.Count], scratch.Count) : default,
                error);
            _cellLookup[cell] = cached;
            result = cached.Cell;
        }
        else
        {
            result = error is null ? new SegmentCell(scratch.Names, scratch.Indexes, scratch.Count) : default;
        }

        return error is null;
    }

    private CellError? Parse(ReadOnlySpan<byte> cell, Scratch scratch)
    {
        if (!Utf8.IsValid(cell))
        {
            int offset = IndexOfInvalidUtf8(cell);
            return new CellError(
                $"invalid UTF-8: byte 0x{cell[offset]:X2} at byte {offset + 1} of the cell is not valid UTF-8 (files must be UTF-8)",
                ErrorValue.From(cell, _maxErrorValueLength));
        }

        int nul = cell.IndexOf((byte)0);
        if (nul >= 0)
        {
            return new CellError(
                $"NUL byte (U+0000) at position {Encoding.UTF8.GetCharCount(cell[..nul]) + 1} of the cell",
                ErrorValue.From(cell, _maxErrorValueLength));
        }

        int start = 0;
        for (int i = 0; i <= cell.Length; i++)
        {
            if (i < cell.Length && (cell[i] != (byte)';' || (i > 0 && cell[i - 1] == (byte)'\\')))
            {
                continue;
            }

            CellError? error = AddEntry(cell[start..i], scratch);
            if (error is not null)
            {
                return error;
            }

            start = i + 1;
        }

        return null;
    }

    private CellError? AddEntry(ReadOnlySpan<byte> entry, Scratch scratch)
    {
        entry = entry.Trim(" \t"u8);
        if (entry.IsEmpty)
        {
            return null;
        }

        if (!_entryLookup.TryGetValue(entry, out int index))
        {
            string text = Encoding.UTF8.GetString(entry).Replace("\\;", ";", StringComparison.Ordinal);
            string? reason = SegmentName.Check(text, out Range group, out Range segment);
            if (reason is not null)
            {
                return new CellError(reason, ErrorValue.From(text, _maxErrorValueLength));
            }

            SegmentName name = SegmentName.FromChecked(text[group], text[segment]);
            if (!_indexByName.TryGetValue(name, out index))
            {
                index = _segments.Count;
                _segments.Add(name);
                _indexByName.Add(name, index);
            }

            if (_entries.Count < MaxCachedEntries)
            {
                _entryLookup[entry] = index;
            }
        }

        if (scratch.Indexes.AsSpan(0, scratch.Count).Contains(index))
        {
            return null;
        }

        scratch.Add(_segments[index], index);
        return null;
    }

    private static int IndexOfInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return 0;
    }

    private sealed record CachedCell(SegmentCell Cell, CellError? Error);

    private sealed class Scratch
    {
        public SegmentName[] Names { get; private set; } = new SegmentName[8];

        public int[] Indexes { get; private set; } = new int[8];

        public int Count { get; set; }

        public void Add(SegmentName name, int index)
        {
            if (Count == Names.Length)
            {
                SegmentName[] names = Names;
                int[] indexes = Indexes;
                Array.Resize(ref names, Count * 2);
                Array.Resize(ref indexes, Count * 2);
                Names = names;
                Indexes = indexes;
            }

            Names[Count] = name;
            Indexes[Count] = index;
            Count++;
        }
    }
}
