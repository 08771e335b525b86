using Onboarding.Engine;

Console.WriteLine($"Onboarding {EngineInfo.Version}: the terminal UI is not built yet.");
