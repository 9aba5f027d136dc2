using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands.Information;

public sealed class HelpHandler(FtpCommandTable commands) : IFtpCommandHandler
{
    private const int VerbsPerLine = 8;

    public CommandInfo Info { get; } = new(["HELP"], "HELP [command]");

    public ValueTask<FtpReply> HandleAsync(FtpCommandContext context)
    {
        if (context.Command.HasArgument)
        {
            var verb = context.Argument.Trim().ToUpperInvariant();
            return ValueTask.FromResult(commands.TryGet(verb, out var handler)
                ? new FtpReply(214, $"Syntax: {handler.Info.Syntax}")
                : new FtpReply(502, $"Unknown command {verb}."));
        }

        var lines = new List<string> { "The following commands are recognized:" };
        lines.AddRange(commands.Verbs.Chunk(VerbsPerLine).Select(chunk => string.Join(' ', chunk.Select(verb => verb.PadRight(5)))));
        lines.Add("Help OK.");
        return ValueTask.FromResult(new FtpReply(214, lines));
    }
}
