using System.IO.Pipelines;

namespace Onboarding.Engine.Exports;

/// <summary>
/// Writes into a stream on two threads: what the caller writes goes through a bounded pipe, and another thread
/// copies it into the destination, so that producing the bytes (the CSV) and consuming them (OpenPGP encryption)
/// overlap. Memory stays bounded: the writer waits while <see cref="PauseBytes"/> are unread.
/// </summary>
internal static class OverlappedWriter
{
    /// <summary>Unread bytes at which the writer waits for the copy to catch up.</summary>
    public const int PauseBytes = 4 << 20;

    /// <summary>
    /// Runs <paramref name="write"/> on this thread with a stream whose bytes reach <paramref name="destination"/>
    /// in order, and returns when all of them have. If either side fails, the other stops (the writer at its next
    /// write, the copy at its next read) and the failure is thrown; <paramref name="destination"/> is not disposed.
    /// </summary>
    public static T WriteThrough<T>(Stream destination, Func<Stream, T> write)
    {
        var pipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: PauseBytes, resumeWriterThreshold: PauseBytes / 2, minimumSegmentSize: 1 << 16, useSynchronizationContext: false));
        Task copy = Task.Factory.StartNew(() => Copy(pipe.Reader, destination), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        T result;
        try
        {
            using (Stream input = pipe.Writer.AsStream(leaveOpen: true))
            {
                result = write(input);
                input.Flush();
            }

            pipe.Writer.Complete();
        }
        catch (Exception ex)
        {
            pipe.Writer.Complete(ex);
            try
            {
                copy.Wait();
            }
            catch (AggregateException)
            {
                // The copy ended with this failure, or with the one that made this write fail: thrown below either way.
            }

            throw;
        }

        copy.GetAwaiter().GetResult();
        return result;
    }

    private static void Copy(PipeReader reader, Stream destination)
    {
        try
        {
            while (true)
            {
                ReadResult read = reader.ReadAsync().AsTask().GetAwaiter().GetResult();
                foreach (ReadOnlyMemory<byte> segment in read.Buffer)
                {
                    destination.Write(segment.Span);
                }

                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            reader.Complete();
        }
        catch (Exception ex)
        {
            reader.Complete(ex);
            throw;
        }
    }
}
