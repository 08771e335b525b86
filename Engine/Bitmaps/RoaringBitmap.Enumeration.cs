using System.Collections;
using Onboarding.Engine.Bitmaps.Containers;

namespace Onboarding.Engine.Bitmaps;

public sealed partial class RoaringBitmap
{
    /// <summary>Ascending enumeration. The bitmap must not be modified while enumerating.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>An iterator that fills spans with ascending values, for hot loops.</summary>
    public BatchIterator GetBatchIterator() => new(this);

    /// <summary>Fills caller-provided spans with the bitmap's values in ascending order.</summary>
    public sealed class BatchIterator
    {
        private readonly RoaringBitmap _bitmap;
        private int _index;
        private ContainerCursor _cursor;

        internal BatchIterator(RoaringBitmap bitmap) => _bitmap = bitmap;

        /// <summary>Writes the next values; returns how many were written (0 once exhausted, less than the span only at the end).</summary>
        public int Fill(Span<uint> destination)
        {
            int written = 0;
            while (written < destination.Length && _index < _bitmap._size)
            {
                uint high = (uint)_bitmap._keys[_index] << 16;
                int requested = destination.Length - written;
                int n = _bitmap._containers[_index].Fill(ref _cursor, high, destination[written..]);
                written += n;
                if (n < requested)
                {
                    _index++;
                    _cursor = default;
                }
            }

            return written;
        }
    }

    /// <summary>A buffered struct enumerator (one small buffer per enumeration, none per value).</summary>
    public struct Enumerator : IEnumerator<uint>
    {
        private const int BufferSize = 64;
        private readonly BatchIterator _iterator;
        private uint[]? _buffer;
        private int _position;
        private int _count;

        internal Enumerator(RoaringBitmap bitmap)
        {
            _iterator = new BatchIterator(bitmap);
            _buffer = null;
            _position = 0;
            _count = 0;
            Current = 0;
        }

        public uint Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_position < _count)
            {
                Current = _buffer![_position++];
                return true;
            }

            _buffer ??= new uint[BufferSize];
            _count = _iterator.Fill(_buffer);
            if (_count == 0)
            {
                return false;
            }

            Current = _buffer[0];
            _position = 1;
            return true;
        }

        public readonly void Reset() => throw new NotSupportedException();

        public readonly void Dispose()
        {
        }
    }
}
