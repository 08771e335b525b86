using System.CommandLine;
using Onboarding.Engine.Exports;
using Onboarding.Engine.Audit;
using Onboarding.Engine.Security;
using Onboarding.Engine.Sftp;
using Onboarding.Watcher.Control;

namespace Onboarding.Watcher.Cli;

/// <summary><c>onboard keys rotate</c>: re-encrypt every stored secret under a new key.</summary>
internal static class KeyCommands
{
    public static Command Keys()
    {
        Command rotate = new("rotate", "Make a new secret key current and re-encrypt every stored secret with it; the old key is then dropped.\n\n" +
            $"With {SecretProtector.KeyVariable} set, put the new key there and the old one in {SecretProtector.RetiredKeysVariable} first.\n\nExample: onboard keys rotate");
        rotate.SetAction(result =>
        {
            string data = CommonOptions.DataFolderPath(result);
            if (ControlClient.IsServed(data))
            {
                Console.Error.WriteLine($"error: the data folder {data} is open in onboard watch or the TUI, which use the secret key to reach the SFTP inboxes; stop it, rotate the key, then start it again.");
                return ExitCodes.Failure;
            }

            try
            {
                KeyRotationReport report = SecretKeyRotation.Rotate(data, [new SftpInboxStore(data), new ExportDestinationSecrets(data)]);
                AuditLog.For(data).Record(AuditLog.DefaultActor, AuditActions.KeysRotate, null, report.CurrentKeyId,
                    $"{report.SecretsReencrypted} secret(s) re-encrypted; dropped: {(report.KeysDropped.Count > 0 ? string.Join(", ", report.KeysDropped) : "none")}");
                Console.WriteLine($"Secrets are encrypted with key {report.CurrentKeyId} ({report.KeySource}); {report.SecretsReencrypted} secret(s) re-encrypted.");
                if (report.KeysDropped.Count > 0)
                {
                    Console.WriteLine($"Dropped key(s): {string.Join(", ", report.KeysDropped)}.");
                }

                if (report.Advice is not null)
                {
                    Console.WriteLine(report.Advice);
                }

                return ExitCodes.Success;
            }
            catch (SecretKeyException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return new Command("keys", "Manage the key that encrypts stored secrets.") { rotate };
    }
}
