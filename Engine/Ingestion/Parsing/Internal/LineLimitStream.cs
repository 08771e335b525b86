namespace Onboarding.Engine.Ingestion.Parsing;

/// <summary>
/// Serves a prefix already read from the source (the header), then the rest of the source, cutting every line
/// longer than the limit: its first <c>maxLineLength</c> bytes pass, the rest up to the line break is dropped, and
/// the offset where the line starts in the output is queued in <see cref="TruncatedLineStarts"/>. The reader
/// downstream therefore never buffers more than about one line of the limit, and sees the cut line as one record
/// (line breaks inside quotes are not allowed in onboarding files). It also refuses input past the file-size
/// limit, with an <see cref="OnboardingFileException"/> that ends the read.
/// </summary>
internal sealed class LineLimitStream(Stream source, bool leaveOpen, byte[] prefix, int prefixStart, int prefixLength, int maxLineLength, string fileName, long maxBytes)
    : Stream
{
    private long _input;
    private int _prefixStart = prefixStart;
    private int _prefixLength = prefixLength;
    private long _output;
    private long _lineStart;
    private long _lineLength;
    private bool _dropping;

    /// <summary>The output offsets where cut lines start, in order.</summary>
    public Queue<long> TruncatedLineStarts { get; } = new();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _output;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            int read = ReadPrefix(buffer);
            if (read == 0)
            {
                read = source.Read(buffer);
                if (read == 0)
                {
                    return 0;
                }

                CountInput(read);
            }

            int kept = Filter(buffer[..read]);
            if (kept > 0)
            {
                return kept;
            }
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            int read = ReadPrefix(buffer.Span);
            if (read == 0)
            {
                read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return 0;
                }

                CountInput(read);
            }

            int kept = Filter(buffer.Span[..read]);
            if (kept > 0)
            {
                return kept;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            source.Dispose();
        }

        base.Dispose(disposing);
    }

    private void CountInput(int read)
    {
        _input += read;
        if (_input > maxBytes)
        {
            throw new OnboardingFileException(fileName, 0, 0,
                $"the file is larger than the limit of {maxBytes:N0} bytes (MaxFileBytes); refused, nothing of it was applied");
        }
    }

    private int ReadPrefix(Span<byte> buffer)
    {
        int count = Math.Min(buffer.Length, _prefixLength);
        CountInput(count);
        prefix.AsSpan(_prefixStart, count).CopyTo(buffer);
        _prefixStart += count;
        _prefixLength -= count;
        return count;
    }

    /// <summary>Applies the limit to a chunk in place; returns how many bytes remain at its start.</summary>
    private int Filter(Span<byte> chunk)
    {
        if (!_dropping && chunk.Length <= maxLineLength)
        {
            // Fast path: lines inside a chunk no longer than the limit cannot exceed it; only the first and last can.
            int first = chunk.IndexOf((byte)'\n');
            if (first < 0 && _lineLength + chunk.Length <= maxLineLength)
            {
                _lineLength += chunk.Length;
                _output += chunk.Length;
                return chunk.Length;
            }

            if (first >= 0 && _lineLength + first <= maxLineLength)
            {
                int last = chunk.LastIndexOf((byte)'\n');
                _lineStart = _output + last + 1;
                _lineLength = chunk.Length - last - 1;
                _output += chunk.Length;
                return chunk.Length;
            }
        }

        return FilterSlow(chunk);
    }

    private int FilterSlow(Span<byte> chunk)
    {
        int read = 0;
        int write = 0;
        while (read < chunk.Length)
        {
            if (_dropping)
            {
                int end = chunk[read..].IndexOf((byte)'\n');
                if (end < 0)
                {
                    break;
                }

                read += end;
                _dropping = false;
            }

            int lineBreak = chunk[read..].IndexOf((byte)'\n');
            int content = lineBreak < 0 ? chunk.Length - read : lineBreak;
            long allowed = maxLineLength - _lineLength;
            if (content > allowed)
            {
                chunk.Slice(read, (int)allowed).CopyTo(chunk[write..]);
                read += (int)allowed;
                write += (int)allowed;
                _lineLength += allowed;
                TruncatedLineStarts.Enqueue(_lineStart);
                _dropping = true;
                continue;
            }

            int take = lineBreak < 0 ? content : content + 1;
            chunk.Slice(read, take).CopyTo(chunk[write..]);
            read += take;
            write += take;
            if (lineBreak < 0)
            {
                _lineLength += content;
            }
            else
            {
                _lineLength = 0;
                _lineStart = _output + write;
            }
        }

        _output += write;
        return write;
    }
}
