using System.Security.Cryptography;
using System.Text;

namespace Onboarding.Tui.Tests;

/// <summary>Small onboarding files laid out by the inbox convention, with known contents.</summary>
internal static class SampleInbox
{
    public static string Hem(int n) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"user{n}@example.com")));

    /// <summary>
    /// default: an initial delta (Loyalty=Gold 10, Loyalty=Silver 40, Loyalty=Bronze 150, Interest=Running 50; 200
    /// rows and 1 bad row), a static Campaign=Spring file (30), and a delta moving 5 members Silver to Gold.
    /// acme: one delta (Device=iOS 20).
    /// </summary>
    public static void Write(string inbox, bool withTierMove = true, bool withAcme = true)
    {
        var initial = new StringBuilder("ID Type,ID,Add,Remove\n");
        for (int n = 1; n <= 200; n++)
        {
            string tier = n <= 10 ? "Loyalty=Gold" : n <= 50 ? "Loyalty=Silver" : "Loyalty=Bronze";
            initial.Append("HEMSHA2,").Append(Hem(n)).Append(',').Append(tier).Append(n % 4 == 0 ? ";Interest=Running" : string.Empty).Append(",\n");
            if (n == 100)
            {
                initial.Append("HEMSHA2,not-a-hash,Loyalty=Gold,\n");
            }
        }

        WriteFile(Path.Combine(inbox, "HEMSHA2_default_20250101.csv"), initial.ToString());

        var campaign = new StringBuilder("ID Type,ID,Add,Remove\n");
        for (int n = 1; n <= 30; n++)
        {
            campaign.Append("HEMSHA2,").Append(Hem(n)).Append(",Campaign=Spring,\n");
        }

        WriteFile(Path.Combine(inbox, "static", "HEMSHA2_default_20250105.csv"), campaign.ToString());

        if (withTierMove)
        {
            var move = new StringBuilder("ID Type,ID,Add,Remove\n");
            for (int n = 11; n <= 15; n++)
            {
                move.Append("HEMSHA2,").Append(Hem(n)).Append(",Loyalty=Gold,Loyalty=Silver\n");
            }

            WriteFile(Path.Combine(inbox, "HEMSHA2_default_20250108.csv"), move.ToString());
        }

        if (withAcme)
        {
            var acme = new StringBuilder("ID Type,ID,Add,Remove\n");
            for (int n = 1; n <= 20; n++)
            {
                acme.Append("HEMSHA2,").Append(Hem(1000 + n)).Append(",Device=iOS,\n");
            }

            WriteFile(Path.Combine(inbox, "acme", "HEMSHA2_acme_20250102.csv"), acme.ToString());
        }
    }

    public static void WriteFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
