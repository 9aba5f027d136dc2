using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Information;

/// <summary>RFC 2389: generated from the command table, so FEAT never advertises what is not there.</summary>
public sealed class FeatHandler(FtpCommandTable commands) : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["FEAT"], "FEAT");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var lines = new List<string> { "Features:" };
        lines.AddRange(commands.Handlers.SelectMany(handler => handler.Features(context.Session)));
        lines.Add("End");
        return ValueTask.FromResult(new FtpReply(211, lines));
    }
}
