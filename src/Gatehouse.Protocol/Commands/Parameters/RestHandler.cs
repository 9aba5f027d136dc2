using System.Globalization;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Parameters;

/// <summary>RFC 3659 REST STREAM: the byte offset for the next RETR, STOR or APPE.</summary>
public sealed class RestHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["REST"], "REST <offset>");

    public IEnumerable<string> Features(IFtpSession session) => ["REST STREAM"];

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (!long.TryParse(context.Argument.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return ValueTask.FromResult(new FtpReply(501, "Syntax: REST <byte offset>, a whole number of 0 or more."));
        }

        context.State.RestartOffset = offset;
        return ValueTask.FromResult(new FtpReply(350, $"Restarting at {offset}. Send RETR or STOR to continue."));
    }
}
