using System.Globalization;
using Gatehouse.Accounts.Events;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// Rules on pre-upload: their commands run on the complete upload while it is still hidden, with the hidden file as
/// the last argument. Exit 0 from every command publishes it; anything else (another exit code, a time-out, a command
/// that cannot start) refuses it: the file goes to the quarantine directory, outside every home, the client gets the
/// command's first output line as the reason, and an upload-rejected event is raised.
/// </summary>
public sealed class PreUploadCheck(EventRecorder recorder, CommandRunner commands, string quarantine, TimeProvider time, ILogger logger)
{
    private const int MaxReasonLength = 200;

    /// <param name="facts">The upload as the session knows it (path, user, client).</param>
    /// <returns>Null when no pre-upload rule is enabled, so uploads pay nothing.</returns>
    public PublishCheck? For(EventFacts facts)
    {
        if (!recorder.Rules.Watches(EventKind.PreUpload))
        {
            return null;
        }

        return async (staged, cancellationToken) =>
        {
            var known = facts with { Size = new FileInfo(staged).Length, RealPath = staged };
            var happened = known.ToEvent(EventKind.PreUpload, recorder.Node, time.GetUtcNow());
            foreach (var rule in recorder.Rules.Matching(EventKind.PreUpload, happened))
            {
                foreach (var action in rule.Actions.Where(action => action.Kind == RuleActionKind.Command))
                {
                    var result = await commands.RunAsync(rule.Name, action.Target, [.. action.Arguments, staged], happened, TimeSpan.FromSeconds(action.TimeoutSeconds), cancellationToken).ConfigureAwait(false);
                    if (!result.Succeeded)
                    {
                        await RejectAsync(rule, result, staged, known).ConfigureAwait(false);
                    }
                }

                EventLog.UploadAccepted(logger, known.Path ?? staged, rule.Name);
            }
        };
    }

    private async Task RejectAsync(EventRule rule, CommandResult result, string staged, EventFacts facts)
    {
        var name = facts.Path is { } path ? path[(path.LastIndexOf('/') + 1)..] : "the upload";
        var reason = Reason(result, staged, name);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(quarantine);
        }
        else
        {
            // Refused files may be malicious or confidential: only the server's account may open them.
            Directory.CreateDirectory(quarantine, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var kept = Path.Combine(quarantine, $"{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{facts.User}-{Guid.NewGuid().ToString("N")[..8]}-{name}");
        File.Move(staged, kept);
        EventLog.UploadRejected(logger, facts.Path ?? name, rule.Name, reason, kept);
        await recorder.RaiseAsync(EventKind.UploadRejected, facts with { RealPath = kept, Reason = reason }).ConfigureAwait(false);
        throw new UploadRejectedException(reason);
    }

    /// <summary>The command's first line, with the hidden file's server path replaced by the file's name.</summary>
    private static string Reason(CommandResult result, string staged, string name)
    {
        var line = result.TimedOut ? "the upload check did not finish in time"
            : result.Refusal is not null ? "the upload check could not run"
            : result.FirstLine?.Replace(staged, name, StringComparison.Ordinal).Trim()
              ?? string.Create(CultureInfo.InvariantCulture, $"the upload check refused it (exit code {result.ExitCode})");
        return line.Length > MaxReasonLength ? line[..MaxReasonLength] : line;
    }
}
