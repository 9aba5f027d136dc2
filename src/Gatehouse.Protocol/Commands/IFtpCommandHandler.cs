using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands;

public enum CommandAccess
{
    /// <summary>Allowed before login (vsftpd's pre-login set: USER, PASS, AUTH, FEAT, ...).</summary>
    Anytime,

    LoggedIn,
}

/// <param name="Verbs">The verb and its aliases (XCWD for CWD, ...).</param>
/// <param name="Syntax">The HELP text for the verb.</param>
/// <param name="DuringTransfer">Handled at once while a transfer runs (ABOR, STAT, NOOP, QUIT); others wait for it.</param>
public sealed record CommandInfo(IReadOnlyList<string> Verbs, string Syntax, CommandAccess Access = CommandAccess.LoggedIn, bool DuringTransfer = false);

/// <summary>One FTP command. Handlers are stateless singletons; everything per-session is in the context.</summary>
public interface IFtpCommandHandler
{
    CommandInfo Info { get; }

    /// <summary>Lines this command adds to FEAT, if any.</summary>
    IEnumerable<string> Features(FtpSession session) => [];

    ValueTask<FtpReply> HandleAsync(FtpCommandContext context);
}
