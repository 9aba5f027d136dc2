using Gatehouse.Accounts.Events;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Events;

/// <summary>
/// Move, copy or delete the event's file in the user's own view of storage: the same confinement, mounts, permissions
/// and quotas as the user's FTP commands, so a rule can do nothing the user could not.
/// </summary>
/// <param name="fileSystems">The user's file system, or null when the user no longer exists.</param>
/// <param name="raise">Where a copy refused for quota is reported, as the quota-exceeded event an upload refused for it fires.</param>
public sealed class FileActions(Func<string, CancellationToken, Task<IFileSystem?>> fileSystems, Func<EventKind, EventFacts, ValueTask> raise)
{
    public async Task<ActionOutcome> RunAsync(RuleAction action, ServerEvent happened, CancellationToken cancellationToken)
    {
        if (happened.User is not { } user || happened.Path is null || !VirtualPath.TryResolve(VirtualPath.Root, happened.Path, out var file, out _))
        {
            return ActionOutcome.Failure($"{Describe(action)}: the event names no user's file");
        }

        if (await fileSystems(user, cancellationToken).ConfigureAwait(false) is not { } files)
        {
            return ActionOutcome.Failure($"{Describe(action)}: user '{user}' no longer exists");
        }

        try
        {
            if (action.Kind == RuleActionKind.Delete)
            {
                await files.DeleteFileAsync(file, cancellationToken).ConfigureAwait(false);
                return ActionOutcome.Success($"deleted {file}");
            }

            if (!VirtualPath.TryResolve(VirtualPath.Root, action.Target, out var folder, out var error))
            {
                return ActionOutcome.Failure($"{Describe(action)}: {error}");
            }

            var destination = folder.Append(file.Name);
            if (action.Kind == RuleActionKind.MoveTo)
            {
                await files.RenameAsync(file, destination, cancellationToken).ConfigureAwait(false);
                return ActionOutcome.Success($"moved {file} to {destination}");
            }

            try
            {
                await CopyAsync(files, file, destination, cancellationToken).ConfigureAwait(false);
            }
            catch (FileSystemException refused) when (refused.Error == FileSystemError.QuotaExceeded)
            {
                await raise(EventKind.QuotaExceeded, new EventFacts(destination.Value, happened.Size)
                {
                    User = user, Groups = happened.Groups, Client = happened.Client, SessionId = happened.SessionId, Reason = refused.Message,
                }).ConfigureAwait(false);
                throw;
            }

            return ActionOutcome.Success($"copied {file} to {destination}");
        }
        catch (FileSystemException ex)
        {
            return ActionOutcome.Failure($"{Describe(action)} {file}: {ex.Message}");
        }
    }

    private static string Describe(RuleAction action) => action.Kind switch
    {
        RuleActionKind.MoveTo => $"move to {action.Target}",
        RuleActionKind.CopyTo => $"copy to {action.Target}",
        _ => "delete",
    };

    private static async Task CopyAsync(IFileSystem files, VirtualPath from, VirtualPath to, CancellationToken cancellationToken)
    {
        await using var source = await files.OpenReadAsync(from, 0, cancellationToken).ConfigureAwait(false);
        await using var upload = await files.BeginUploadAsync(to, 0, cancellationToken).ConfigureAwait(false);
        await source.CopyToAsync(upload.Content, cancellationToken).ConfigureAwait(false);
        await upload.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
