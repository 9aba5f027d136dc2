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
            if (!owner.TryGet(parse, out var who, out var error)
                || !VirtualPathArgument.TryParse(parse.GetValue(path), allowRoot: true, out var at, out error)
                || !FilePermissionNames.TryParse(parse.GetValue(permissions), out var allowed, out error))
            {
                return CliStore.Fail(error);
            }

            if (await store.CheckOwnerAsync(who, cancellationToken).ConfigureAwait(false) is { } missing)
            {
                return CliStore.Fail(missing);
            }

            await store.Access.SetPermissionAsync(who, at.Value, allowed, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{who}: {at} -> {FilePermissionNames.Format(allowed)}. Takes effect at the next login.");
            return 0;
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
            if (!owner.TryGet(parse, out var who, out var error) || !VirtualPathArgument.TryParse(parse.GetValue(path), allowRoot: true, out var at, out error))
            {
                return CliStore.Fail(error);
            }

            if (!await store.Access.RemovePermissionAsync(who, at.Value, cancellationToken).ConfigureAwait(false))
            {
                return CliStore.Fail($"{who} has no rule at {at}.");
            }

            Console.WriteLine($"{who}: rule at {at} removed.");
            return 0;
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
