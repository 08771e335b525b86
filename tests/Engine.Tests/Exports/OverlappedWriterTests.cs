using Onboarding.Engine.Exports;

namespace Onboarding.Engine.Tests.Exports;

/// <summary>Writing through the two-thread pipe that lets CSV writing and encryption overlap.</summary>
public sealed class OverlappedWriterTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task WriteThrough_WritesOfEverySize_ReachTheDestinationInOrder_AndTheResultIsReturned()
    {
        var random = new Random(6);
        byte[] data = new byte[(3 * OverlappedWriter.PauseBytes) + 12345];
        random.NextBytes(data);
        using var destination = new MemoryStream();

        int writes = await Task.Run(() => OverlappedWriter.WriteThrough(destination, input =>
        {
            int count = 0;
            for (int offset = 0; offset < data.Length; count++)
            {
                int size = Math.Min(data.Length - offset, random.Next(0, 3) switch { 0 => 1, 1 => random.Next(1, 5000), _ => random.Next(1, 1 << 20) });
                input.Write(data, offset, size);
                offset += size;
            }

            return count;
        })).WaitAsync(Generous);

        Assert.True(writes > 1);
        Assert.True(data.AsSpan().SequenceEqual(destination.ToArray()), "the destination holds other bytes than were written");
    }

    [Fact]
    public async Task WriteThrough_DestinationFails_StopsTheWriter_AndThrowsTheDestinationsError()
    {
        var destination = new FailingStream(failAfter: 1 << 20);
        long written = 0;

        var error = await Assert.ThrowsAsync<IOException>(() => Task.Run(() => OverlappedWriter.WriteThrough(destination, input =>
        {
            byte[] chunk = new byte[64 << 10];
            while (written < (256 << 20))
            {
                input.Write(chunk);
                written += chunk.Length;
            }

            return written;
        })).WaitAsync(Generous));

        Assert.Equal(FailingStream.Message, error.Message);
        Assert.True(written < (1 << 20) + (4 * OverlappedWriter.PauseBytes), $"the writer went on for {written} bytes after the destination failed");
    }

    [Fact]
    public async Task WriteThrough_WriterFails_ThrowsItsError_AndTheCopyEnds()
    {
        using var destination = new MemoryStream();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.Run(() => OverlappedWriter.WriteThrough<int>(destination, input =>
        {
            input.Write(new byte[100_000]);
            throw new InvalidOperationException("the CSV could not be written");
        })).WaitAsync(Generous));

        Assert.Equal("the CSV could not be written", error.Message);
        Assert.True(destination.Length <= 100_000);
    }

    private sealed class FailingStream(long failAfter) : MemoryStream
    {
        public const string Message = "disk full (simulated)";

        // A MemoryStream subclass's span writes arrive here too.
        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Length + count > failAfter)
            {
                throw new IOException(Message);
            }

            base.Write(buffer, offset, count);
        }
    }
}
