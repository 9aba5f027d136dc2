using Gatehouse.Protocol.Parsing;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Login;

public sealed class UserHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["USER"], "USER <name>");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (context.State.IsLoggedIn)
        {
            return ValueTask.FromResult(new FtpReply(503, "Already logged in; send REIN first to log in as someone else."));
        }

        if (!context.Command.HasArgument)
        {
            return ValueTask.FromResult(FtpCommandContext.MissingArgument(Info.Syntax));
        }

        if (context.Argument.Length > ProtocolLimits.MaxUserNameLength)
        {
            return ValueTask.FromResult(new FtpReply(501, $"User name is longer than {ProtocolLimits.MaxUserNameLength} characters."));
        }

        context.State.PendingUser = context.Argument;
        return ValueTask.FromResult(new FtpReply(331, "Password required."));
    }
}
