using MimeKit;

namespace Onboarding.Engine.Exports.Notifications;

/// <summary>Notification addresses as people type them: "a@example.com, b@example.com".</summary>
public static class EmailAddresses
{
    /// <summary>The addresses of a comma- or semicolon-separated list; throws an <see cref="ArgumentException"/> naming a bad one.</summary>
    /// <param name="what">What the list is, for the error message ("notification addresses").</param>
    public static IReadOnlyList<string> Parse(string list, string what = "notification addresses")
    {
        var addresses = new List<string>();
        foreach (string item in list.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            addresses.Add(Normalize(item, what));
        }

        return addresses;
    }

    /// <summary>One address, checked: "name@domain" with nothing else around it.</summary>
    public static string Normalize(string address, string what = "notification addresses")
    {
        string trimmed = address.Trim();
        if (!MailboxAddress.TryParse(trimmed, out MailboxAddress? mailbox) || mailbox.Address != trimmed
            || mailbox.LocalPart.Length == 0 || mailbox.Domain.Length == 0)
        {
            throw new ArgumentException($"\"{address}\" in the {what} is not an e-mail address (expected name@domain).");
        }

        return trimmed;
    }
}
