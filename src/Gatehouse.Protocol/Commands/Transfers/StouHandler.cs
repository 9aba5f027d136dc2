using System.Security.Cryptography;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Transfers;

/// <summary>STOU: store under a name the server makes unique; the 150 reply says "FILE: name" (RFC 1123).</summary>
public sealed class StouHandler : IFtpCommandHandler
{
    public CommandInfo Info { get; } = new(["STOU"], "STOU [base name]");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        var baseName = context.Command.HasArgument ? context.Argument.Trim() : "upload";
        var unique = $"{baseName}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        if (!UploadCommand.TryPrepare(context, out var path, out var refusal, unique))
        {
            return ValueTask.FromResult(refusal);
        }

        context.State.RestartOffset = 0;
        return UploadCommand.StartAsync(context, path, 0, $"FILE: {path.Name}");
    }
}
