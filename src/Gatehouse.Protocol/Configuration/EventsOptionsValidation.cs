using Gatehouse.Protocol.Events;

namespace Gatehouse.Protocol.Configuration;

internal static class EventsOptionsValidation
{
    public static void Check(EventsOptions events, Action<string, string> problem)
    {
        for (var i = 0; i < events.WebhookAllowedHosts.Count; i++)
        {
            if (!WebhookDestinations.TryParseEntry(events.WebhookAllowedHosts[i], out _, out _))
            {
                problem($"Events:WebhookAllowedHosts:{i}", $"'{events.WebhookAllowedHosts[i]}' is not a host or host:port; write for example hooks.example.com or 127.0.0.1:8080");
            }
        }

        for (var i = 0; i < events.Commands.Count; i++)
        {
            if (!Path.IsPathFullyQualified(events.Commands[i]))
            {
                problem($"Events:Commands:{i}", $"'{events.Commands[i]}' is not an absolute path; name the executable in full, for example /usr/bin/clamscan");
            }
        }

        if (events.MaxAttempts is < 1 or > 100)
        {
            problem("Events:MaxAttempts", $"is {events.MaxAttempts}; use 1 to 100 (default 8)");
        }

        if (events.RetryBaseSeconds is < 1 or > 3600)
        {
            problem("Events:RetryBaseSeconds", $"is {events.RetryBaseSeconds}; use 1 to 3600 seconds (default 10)");
        }

        if (events.KeepDeliveredDays < 1)
        {
            problem("Events:KeepDeliveredDays", $"is {events.KeepDeliveredDays}; use at least 1 (default 7)");
        }

        if (!string.IsNullOrWhiteSpace(events.SmtpHost))
        {
            if (events.SmtpPort is < 1 or > 65535)
            {
                problem("Events:SmtpPort", $"{events.SmtpPort} is not a TCP port; use 587 (submission with STARTTLS) or 25");
            }

            if (events.SmtpFrom is null || !MimeKit.MailboxAddress.TryParse(events.SmtpFrom, out _))
            {
                problem("Events:SmtpFrom", $"'{events.SmtpFrom}' is not a mail address; write for example gatehouse@example.com");
            }

            if (!string.IsNullOrWhiteSpace(events.SmtpPasswordFile) && !File.Exists(events.SmtpPasswordFile))
            {
                problem("Events:SmtpPasswordFile", $"{events.SmtpPasswordFile} does not exist; create it with the relay password, readable by the server only");
            }
        }

        if (events.QuarantineDirectory is { Length: > 0 } quarantine && !Path.IsPathFullyQualified(quarantine))
        {
            problem("Events:QuarantineDirectory", $"'{quarantine}' is not an absolute path; write for example /var/lib/gatehouse/quarantine");
        }
    }
}
