using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Login;

/// <summary>Logs out and returns to the state after connecting; TLS on the control connection stays up.</summary>
public sealed class ReinHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["REIN"], "REIN");

    public async ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        await context.Session.LogoutAsync().ConfigureAwait(false);
        return new FtpReply(220, "Session reinitialized; log in with USER and PASS.");
    }
}
