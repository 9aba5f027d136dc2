using Gatehouse.Storage;

namespace Gatehouse.Protocol.Replies;

public static class StorageReplies
{
    public static FtpReply For(FileSystemException exception) => exception.Error switch
    {
        FileSystemError.InsufficientStorage => new FtpReply(452, exception.Message + " Free space on the server or ask the administrator."),
        FileSystemError.QuotaExceeded => new FtpReply(552, exception.Message),
        FileSystemError.InvalidName => new FtpReply(553, exception.Message),
        FileSystemError.OffsetBeyondEnd => new FtpReply(554, $"Invalid REST parameter. {exception.Message} SIZE tells the size to restart from."),
        FileSystemError.IoError => new FtpReply(451, exception.Message + " Try again; the administrator can find details in the server log."),
        _ => new FtpReply(550, exception.Message),
    };

    /// <summary>
    /// A storage error that ends a transfer after its 150 (a directory gone before its listing was read, a target
    /// directory removed during an upload): RFC 959 answers a started transfer with 451 (or, for uploads, 552), not
    /// with 550, which refuses a command before it starts.
    /// </summary>
    public static FtpReply AfterOpening(FileSystemException exception)
    {
        var reply = For(exception);
        return reply.Code == 550 ? new FtpReply(451, exception.Message) : reply;
    }
}
