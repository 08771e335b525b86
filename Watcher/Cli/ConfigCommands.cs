using System.CommandLine;
using System.Text.Json.Serialization;
using Onboarding.Watcher.Configuration;

namespace Onboarding.Watcher.Cli;

internal sealed record ConfigurationJson(string File, bool FileExists, IReadOnlyList<EffectiveSetting> Settings);

/// <summary><c>onboard config show</c>: the effective configuration and where each value came from.</summary>
internal static class ConfigCommands
{
    public static Command Config() => new("config", "Inspect the configuration (onboard.json, ONBOARD__ variables; see docs/CONFIGURATION.md).")
    {
        Show(),
    };

    private static Command Show()
    {
        Command command = new("show", "Show every setting as a process started now would use it, with its source; secrets are masked.\n\n" +
            "Sources: default, the data folder's onboard.json, or an ONBOARD__ environment variable. Each client under Onboard:Clients is listed " +
            "with its own thresholds or the Onboard:Thresholds ones it inherits. Invalid configuration is reported as start-up would report it (exit 1). " +
            "A running watcher keeps the configuration it started with.\n\nExample: onboard config show --data /var/lib/onboard --json");
        command.SetAction(result =>
        {
            string dataPath = CommonOptions.DataFolderPath(result);
            IReadOnlyList<EffectiveSetting> settings = EffectiveSettings.Read(result.Configuration());
            string file = Path.Combine(dataPath, OnboardConfiguration.FileName);
            if (result.GetValue(CommonOptions.Json))
            {
                CliJson.Write(result.Out(), new ConfigurationJson(file, File.Exists(file), settings), ConfigJsonContext.Default.ConfigurationJson);
                return ExitCodes.Success;
            }

            result.Out().WriteLine(File.Exists(file) ? $"configuration file: {file}" : $"configuration file: {file} (none; defaults and variables only)");
            result.Out().WriteLine();
            TableWriter.Write(result.Out(), ["SETTING", "VALUE", "SOURCE"], settings.Select(s => (IReadOnlyList<string>)[s.Key, s.Value, s.Source]));
            return ExitCodes.Success;
        });
        return command;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ConfigurationJson))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
