using Onboarding.Engine;

Console.WriteLine($"onboard {EngineInfo.Version}");
return 0;
