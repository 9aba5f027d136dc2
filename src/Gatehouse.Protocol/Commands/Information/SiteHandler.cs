using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Information;

public sealed class SiteHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["SITE"], "SITE HELP");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var sub = context.Argument.Trim().Split(' ', 2)[0].ToUpperInvariant();
        return ValueTask.FromResult(sub switch
        {
            "HELP" or "" => new FtpReply(214, ["The following SITE commands are recognized:", "HELP", "Help OK."]),
            _ => new FtpReply(504, $"SITE {sub} is not supported; SITE HELP lists what is."),
        });
    }
}
