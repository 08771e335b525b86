namespace Onboarding.Watcher.Tests;

public class ProjectWiringTests
{
    [Fact]
    public void WatcherAssembly_IsNamedOnboard() =>
        Assert.Equal("onboard", typeof(Program).Assembly.GetName().Name);
}
