using System.Globalization;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Parameters;

/// <summary>
/// RFC 3659 REST STREAM: the byte offset for the next RETR or STOR (APPE always appends at the end). Whether the file
/// reaches that far is settled by the transfer command (554 if not), and under TYPE A it refuses a restart (504).
/// </summary>
public sealed class RestHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["REST"], "REST <offset>");

    public IEnumerable<string> Features(IFtpSession session) => ["REST STREAM"];

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var argument = context.Argument.Trim();
        if (!long.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            // A refused REST leaves no earlier one behind to restart the next transfer somewhere the client no longer means.
            context.State.RestartOffset = 0;
            return ValueTask.FromResult(new FtpReply(501, argument.Length > 0 && argument.All(char.IsAsciiDigit)
                ? $"Restart offset too large; the largest is {long.MaxValue}."
                : "Syntax: REST <byte offset>, a whole number of 0 or more."));
        }

        context.State.RestartOffset = offset;
        var asciiNote = offset > 0 && context.State.Type == TransferType.Ascii ? " RETR and STOR refuse a restart in ASCII mode: send TYPE I first." : string.Empty;
        return ValueTask.FromResult(new FtpReply(350, $"Restarting at {offset}. Send RETR or STOR to continue.{asciiNote}"));
    }
}
