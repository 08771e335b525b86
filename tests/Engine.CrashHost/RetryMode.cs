using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Onboarding.Engine.Inbox;
using Onboarding.Engine.Ingestion;
using Onboarding.Engine.Storage;

namespace Onboarding.Engine.CrashHost;

/// <summary>
/// <c>retry &lt;data folder&gt; &lt;client&gt; &lt;failed file&gt; &lt;log text&gt;</c>: runs <c>onboard files retry
/// --force</c>'s <see cref="InboxRetry"/> and SIGKILLs itself as soon as the retry logs a line containing the text
/// (a deterministic crash point: the line is written between two steps), after printing "killed at: &lt;line&gt;".
/// Prints "done" and exits with 3 if the line never came.
/// </summary>
internal static class RetryMode
{
    public static int Run(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine("usage: retry <data folder> <client> <failed file> <log text>");
            return 2;
        }

        using DataFolder data = DataFolder.Open(args[0]);
        var retry = new InboxRetry(data, new IngestionService(data), new InboundDecoder(new InboundDecoderOptions()), logger: new KillingLogger(args[3]));
        retry.Retry(retry.Find(args[1], args[2]), force: true, actor: "crash-host");
        Console.WriteLine("done");
        return 3;
    }

    private sealed class KillingLogger(string text) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string line = formatter(state, exception);
            if (line.Contains(text, StringComparison.Ordinal))
            {
                Console.WriteLine($"killed at: {line}");
                Console.Out.Flush();
                Process.GetCurrentProcess().Kill();
            }
        }
    }
}
