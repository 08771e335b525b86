using Onboarding.Watcher.Cli;

return OnboardCommandLine.Run(args);
