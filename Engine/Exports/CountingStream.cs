using Onboarding.Engine.IO;

namespace Onboarding.Engine.Exports;

/// <summary>A write-only pass-through that counts the bytes written and never closes the stream it writes to.</summary>
internal sealed class CountingStream(Stream inner) : WriteOnlyStream
{
    public long BytesWritten { get; private set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        BytesWritten += buffer.Length;
    }

    public override void Flush() => inner.Flush();
}
