using Gatehouse.Storage;

namespace Gatehouse.Protocol.Replies;

public static class StorageReplies
{
    public static FtpReply For(FileSystemException exception) => exception.Error switch
    {
        FileSystemError.InsufficientStorage => new FtpReply(452, exception.Message + " Free space on the server or ask the administrator."),
        FileSystemError.QuotaExceeded => new FtpReply(552, exception.Message),
        FileSystemError.InvalidName => new FtpReply(553, exception.Message),
        FileSystemError.IoError => new FtpReply(451, exception.Message + " Try again; the administrator can find details in the server log."),
        _ => new FtpReply(550, exception.Message),
    };
}
