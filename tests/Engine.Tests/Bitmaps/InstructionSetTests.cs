using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Onboarding.Engine.Tests.Bitmaps;

/// <summary>
/// CI runs the bitmap tests again with AVX-512 and then every vector instruction switched off (.ci/run), naming what it
/// switched off in ONBOARD_EXPECT_INSTRUCTIONS. The runtime ignores a switch it does not know (DOTNET_EnableAVX512F is
/// one in .NET 10), and such a run would quietly test the same paths again: this fails it instead.
/// </summary>
public class InstructionSetTests
{
    [Fact]
    public void SwitchedOffInstructions_AreOff()
    {
        switch (Environment.GetEnvironmentVariable("ONBOARD_EXPECT_INSTRUCTIONS"))
        {
            case null or "":
                return;
            case "no-avx512":
                Assert.False(Avx512F.IsSupported, "AVX-512 was to be off");
                Assert.False(Vector512.IsHardwareAccelerated, "512-bit vectors were to be off");
                return;
            case "scalar":
                Assert.False(Vector128.IsHardwareAccelerated, "vector instructions were to be off");
                Assert.False(Avx2.IsSupported, "AVX2 was to be off");
                return;
            case var other:
                Assert.Fail($"ONBOARD_EXPECT_INSTRUCTIONS={other}: expected no-avx512 or scalar");
                return;
        }
    }
}
