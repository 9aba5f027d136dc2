using System.CommandLine;
using Gatehouse.Storage.Access;

namespace Gatehouse.Cli;

/// <summary>gatehouse perm set|remove|list: per-path permissions of a user or group.</summary>
internal static class PermCommands
{
    public static Command Create()
    {
        var command = new Command("perm", "Manage per-path permissions (inherited by sub-paths; the most specific path wins; a user's own rule beats the groups').");
        command.Add(Set());
        command.Add(Remove());
        command.Add(List());
        return command;
    }

    private static Command Set()
    {
        var config = CommonOptions.Config();
        var owner = new OwnerOptions();
        var path = new Argument<string>("PATH") { Description = "The virtual path, for example /outgoing." };
        var permissions = new Argument<string>("PERMISSIONS")
        {
            Description = "Comma-separated: list, download, upload, overwrite, delete, rename, create-dirs, remove-dirs, set-times; or all, none.",
        };
        var command = new Command("set", "Set what a user or group may do inside a path: gatehouse perm set --group customers /outgoing list,download") { path, permissions, config };
        owner.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            if (!owner.TryGet(parse, out var who, out var error))
            {
                return CliStore.Fail(error);
            }

            var (rule, refusal) = await store.AccessAdministration.SetPermissionAsync(CliStore.Actor, who, parse.GetValue(path), parse.GetValue(permissions), cancellationToken).ConfigureAwait(false);
            return CliStore.Report(refusal, $"{who}: {rule?.VirtualPath} -> {(rule is null ? null : FilePermissionNames.Format(rule.Permissions))}. Takes effect at the next login.");
        }));
        return command;
    }

    private static Command Remove()
    {
        var config = CommonOptions.Config();
        var owner = new OwnerOptions();
        var path = new Argument<string>("PATH");
        var command = new Command("remove", "Remove a rule, so the path inherits again.") { path, config };
        owner.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            if (!owner.TryGet(parse, out var who, out var error))
            {
                return CliStore.Fail(error);
            }

            return CliStore.Report(
                await store.AccessAdministration.RemovePermissionAsync(CliStore.Actor, who, parse.GetValue(path), cancellationToken).ConfigureAwait(false),
                $"{who}: rule at {parse.GetValue(path)} removed.");
        }));
        return command;
    }

    private static Command List()
    {
        var config = CommonOptions.Config();
        var owner = new OwnerOptions();
        var command = new Command("list", "List a user's or group's own rules (gatehouse user show NAME --effective shows the merged result).") { config };
        owner.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            if (!owner.TryGet(parse, out var who, out var error))
            {
                return CliStore.Fail(error);
            }

            foreach (var rule in await store.Access.PermissionsOfAsync(who, cancellationToken).ConfigureAwait(false))
            {
                Console.WriteLine($"{rule.VirtualPath,-32} {FilePermissionNames.Format(rule.Permissions)}");
            }

            return 0;
        }));
        return command;
    }
}
