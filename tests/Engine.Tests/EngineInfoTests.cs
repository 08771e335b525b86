using Onboarding.Engine;

namespace Onboarding.Engine.Tests;

public class EngineInfoTests
{
    [Fact]
    public void Version_HasThreeParts() => Assert.Equal(3, EngineInfo.Version.Split('.').Length);
}
