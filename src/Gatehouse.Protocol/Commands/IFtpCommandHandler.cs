using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands;

/// <param name="Verbs">The verb and its aliases (XCWD for CWD, ...); the first is the one <see cref="CommandStates"/> knows it by.</param>
/// <param name="Syntax">The HELP text for the verb.</param>
public sealed record CommandInfo(IReadOnlyList<string> Verbs, string Syntax);

/// <summary>One FTP command. Handlers are stateless singletons; everything per-session is in the context.</summary>
public interface IFtpCommandHandler
{
    CommandInfo Info { get; }

    /// <summary>Lines this command adds to FEAT, if any.</summary>
    IEnumerable<string> Features(IFtpSession session) => [];

    ValueTask<FtpReply> HandleAsync(FtpCommandContext context);
}
