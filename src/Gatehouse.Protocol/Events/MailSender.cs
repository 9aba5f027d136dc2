using System.Globalization;
using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Configuration;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// Mail actions through the SMTP relay of Events:SmtpHost (MailKit), with STARTTLS required unless turned off. Subject
/// and body are templates: {kind}, {user}, {path}, {fileName}, {targetPath}, {size}, {client}, {time}, {node},
/// {reason} and {id} are replaced by the event's fields (empty when the event has none).
/// </summary>
public sealed class MailSender(EventsOptions smtp)
{
    public const string DefaultSubject = "Gatehouse: {kind} {path}";

    public const string DefaultBody = "Event:  {kind}\nUser:   {user}\nPath:   {path}\nTarget: {targetPath}\nSize:   {size}\nClient: {client}\nTime:   {time}\nNode:   {node}\nReason: {reason}\nId:     {id}\n";

    public async Task<ActionOutcome> SendAsync(RuleAction action, ServerEvent happened, CancellationToken cancellationToken)
    {
        if (smtp is not { SmtpHost: { Length: > 0 } host, SmtpFrom: { } from })
        {
            return ActionOutcome.Failure($"mail to {action.Target}: Events:SmtpHost and Events:SmtpFrom are not set");
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var recipient in action.Target.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        // A subject is one line: a file name with a line break must not add headers.
        message.Subject = Fill(action.Subject ?? DefaultSubject, happened).ReplaceLineEndings(" ");
        message.Body = new TextPart("plain") { Text = Fill(action.Body ?? DefaultBody, happened) };
        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(host, smtp.SmtpPort, smtp.SmtpStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(smtp.SmtpUser))
            {
                var password = smtp.SmtpPasswordFile is { Length: > 0 } file ? (await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).TrimEnd('\r', '\n') : string.Empty;
                await client.AuthenticateAsync(smtp.SmtpUser, password, cancellationToken).ConfigureAwait(false);
            }

            var answer = await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
            return ActionOutcome.Success($"mail to {action.Target}: {answer}");
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or MailKit.ProtocolException or MailKit.CommandException or AuthenticationException or SslHandshakeException)
        {
            return ActionOutcome.Failure($"mail to {action.Target}: {ex.Message}");
        }
    }

    public static string Fill(string template, ServerEvent happened) => template
        .Replace("{kind}", happened.Kind, StringComparison.Ordinal)
        .Replace("{user}", happened.User ?? string.Empty, StringComparison.Ordinal)
        .Replace("{path}", happened.Path ?? string.Empty, StringComparison.Ordinal)
        .Replace("{fileName}", happened.FileName ?? string.Empty, StringComparison.Ordinal)
        .Replace("{targetPath}", happened.TargetPath ?? string.Empty, StringComparison.Ordinal)
        .Replace("{size}", happened.Size?.ToString(CultureInfo.InvariantCulture) ?? string.Empty, StringComparison.Ordinal)
        .Replace("{client}", happened.Client ?? string.Empty, StringComparison.Ordinal)
        .Replace("{time}", happened.Time.ToString("u", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{node}", happened.Node, StringComparison.Ordinal)
        .Replace("{reason}", happened.Reason ?? string.Empty, StringComparison.Ordinal)
        .Replace("{id}", happened.Id, StringComparison.Ordinal);
}
