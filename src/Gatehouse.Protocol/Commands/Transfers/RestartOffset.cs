using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Commands.Transfers;

/// <summary>
/// The REST offset a RETR or STOR takes, and so clears. Under TYPE A the client counts the bytes of the transfer's
/// form (CRLF line ends) while the offset is applied to the file as stored, so a restart would skip or repeat data:
/// it is refused with 504 (vsftpd refuses it too, with 550), and the client can send TYPE I and restart.
/// </summary>
internal static class RestartOffset
{
    public static bool TryTake(FtpCommandContext context, out long offset, out FtpReply refusal)
    {
        offset = context.State.TakeRestartOffset();
        if (offset > 0 && context.State.Type == TransferType.Ascii)
        {
            refusal = new FtpReply(504, $"Restarting at offset {offset} is not supported in ASCII mode (TYPE A); send TYPE I, then REST and the command again.");
            return false;
        }

        refusal = null!;
        return true;
    }
}
