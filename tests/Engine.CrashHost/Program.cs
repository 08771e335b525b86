using Onboarding.Engine.CrashHost;

// Usage: Onboarding.Engine.CrashHost <mode> [mode arguments]. Each mode prints its progress on stdout, one line
// per durable step ("flushed N"), so that a test killing the process knows what must survive. Add a mode by
// adding a class with a static Run(string[]) and a line below.
return args.Length == 0
    ? Usage()
    : args[0] switch
    {
        "ids" => IdsMode.Run(args[1..]),
        "retry" => RetryMode.Run(args[1..]),
        _ => Usage(),
    };

static int Usage()
{
    Console.Error.WriteLine("usage: Onboarding.Engine.CrashHost <mode> [arguments]");
    Console.Error.WriteLine("  ids <dictionary path> <ID type> <batch size> <max count>");
    Console.Error.WriteLine("  retry <data folder> <client> <failed file> <log text>");
    return 2;
}
