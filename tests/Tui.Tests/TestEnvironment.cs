using System.Runtime.CompilerServices;

namespace Onboarding.Tui.Tests;

internal static class TestEnvironment
{
    /// <summary>Terminal.Gui's drivers do no real console I/O in tests (the ANSI driver then renders to memory).</summary>
    [ModuleInitializer]
    internal static void Init() => Environment.SetEnvironmentVariable("DisableRealDriverIO", "1");
}
