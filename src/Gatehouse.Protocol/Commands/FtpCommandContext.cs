using Gatehouse.Protocol.Parsing;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Commands;

public sealed class FtpCommandContext(IFtpSession session, FtpCommand command, CancellationToken cancellationToken)
{
    public IFtpSession Session { get; } = session;

    public FtpCommand Command { get; } = command;

    public string Argument => Command.Argument;

    public SessionState State => Session.State;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Only called by handlers that require login, so the file system is always there.</summary>
    public IFileSystem FileSystem => State.FileSystem ?? throw new InvalidOperationException("Not logged in.");

    /// <summary>Resolves the argument (or <paramref name="input"/>) to a path in the user's home, or gives the 550 to send.</summary>
    public bool TryResolve(out VirtualPath path, out FtpReply refusal, string? input = null, int errorCode = 550)
    {
        if (VirtualPath.TryResolve(State.CurrentDirectory, input ?? Argument, out path, out var error))
        {
            refusal = null!;
            return true;
        }

        refusal = new FtpReply(errorCode, error);
        return false;
    }

    /// <summary>Like <see cref="TryResolve"/>, but an empty argument is a 501 with the command's syntax.</summary>
    public bool TryResolveArgument(string syntax, out VirtualPath path, out FtpReply refusal, int errorCode = 550)
    {
        if (!Command.HasArgument)
        {
            path = default;
            refusal = MissingArgument(syntax);
            return false;
        }

        return TryResolve(out path, out refusal, errorCode: errorCode);
    }

    public static FtpReply MissingArgument(string syntax) => new(501, $"Missing argument. Syntax: {syntax}");
}
