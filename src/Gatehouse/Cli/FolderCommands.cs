using System.CommandLine;
using Gatehouse.Accounts.Access;

namespace Gatehouse.Cli;

/// <summary>gatehouse folder add|list|remove|mount|unmount|set: shared real directories shown inside users' trees.</summary>
internal static class FolderCommands
{
    public static Command Create()
    {
        var command = new Command("folder", "Manage shared folders: named real directories mounted into users' or groups' trees.");
        command.Add(Add());
        command.Add(List());
        command.Add(Remove());
        command.Add(Mount());
        command.Add(Unmount());
        command.Add(Set());
        return command;
    }

    private static Command Add()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME") { Description = "The folder's name (same characters as user names)." };
        var path = new Option<DirectoryInfo>("--path") { Description = "The real directory; created if missing.", Required = true };
        var settings = new SettingOptions(OwnerKind.Folder);
        var command = new Command("add", "Register a real directory as a shared folder.") { name, path, config };
        settings.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var folder = parse.GetValue(name)!;
            var directory = parse.GetValue(path)!.FullName;
            var refusal = await store.AccessAdministration.AddFolderAsync(CliStore.Actor, folder, directory, settings.Given(parse), cancellationToken).ConfigureAwait(false);
            return CliStore.Report(refusal, $"Created folder '{folder}' at {directory}. Mount it with: gatehouse folder mount {folder} --group GROUP --at /virtual/path");
        }));
        return command;
    }

    private static Command List()
    {
        var config = CommonOptions.Config();
        var command = new Command("list", "List folders and where they are mounted.") { config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            foreach (var folder in await store.Access.ListFoldersAsync(cancellationToken).ConfigureAwait(false))
            {
                var settings = await store.Access.SettingsOfAsync(Owner.Folder(folder.Name), cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"{folder.Name}: {folder.Path}{string.Concat(settings.Select(pair => $"  {pair.Key}={pair.Value}"))}");
                foreach (var mount in await store.Access.MountsOfFolderAsync(folder.Name, cancellationToken).ConfigureAwait(false))
                {
                    Console.WriteLine($"  mounted at {mount.VirtualPath} for {mount.Owner}{(mount.ReadOnly ? " (read-only)" : string.Empty)}");
                }
            }

            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var command = new Command("remove", "Delete a folder and all its mounts (the real directory and files are kept).") { name, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var folder = parse.GetValue(name)!;
            return CliStore.Report(
                await store.AccessAdministration.RemoveFolderAsync(CliStore.Actor, folder, cancellationToken).ConfigureAwait(false),
                $"Removed folder '{folder}' and its mounts; its files were kept.");
        }));
        return command;
    }

    private static Command Mount()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("FOLDER");
        var owner = new OwnerOptions();
        var at = new Option<string>("--at") { Description = "Where it appears in the tree, for example /shared/prices.", Required = true };
        var readOnly = new Option<bool>("--read-only") { Description = "Members may list and download, nothing else." };
        var command = new Command("mount", "Show a folder inside a user's or group's tree: gatehouse folder mount prices --group customers --at /shared/prices --read-only") { name, at, readOnly, config };
        owner.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var folder = parse.GetValue(name)!;
            if (!owner.TryGet(parse, out var who, out var error))
            {
                return CliStore.Fail(error);
            }

            var refusal = await store.AccessAdministration.MountAsync(CliStore.Actor, folder, who, parse.GetValue(at), parse.GetValue(readOnly), cancellationToken).ConfigureAwait(false);
            return CliStore.Report(refusal, $"Folder '{folder}' mounted at {parse.GetValue(at)} for {who}{(parse.GetValue(readOnly) ? ", read-only" : string.Empty)}. Takes effect at the next login.");
        }));
        return command;
    }

    private static Command Unmount()
    {
        var config = CommonOptions.Config();
        var owner = new OwnerOptions();
        var at = new Option<string>("--at") { Description = "The virtual path of the mount.", Required = true };
        var command = new Command("unmount", "Remove a mount from a user's or group's tree (the folder stays).") { at, config };
        owner.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            if (!owner.TryGet(parse, out var who, out var error))
            {
                return CliStore.Fail(error);
            }

            return CliStore.Report(
                await store.AccessAdministration.UnmountAsync(CliStore.Actor, who, parse.GetValue(at), cancellationToken).ConfigureAwait(false),
                $"Unmounted {parse.GetValue(at)} for {who}.");
        }));
        return command;
    }

    private static Command Set()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var settings = new SettingOptions(OwnerKind.Folder);
        var command = new Command("set", "Change a folder's quota or retention: gatehouse folder set drop --quota-bytes 50G --retention-days 14") { name, config };
        settings.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var folder = parse.GetValue(name)!;
            return settings.AnyGiven(parse)
                ? await settings.ApplyAsync(parse, store, Owner.Folder(folder), cancellationToken).ConfigureAwait(false)
                : CliStore.Fail("Nothing to change: give --quota-bytes, --quota-files or --retention-days.");
        }));
        return command;
    }
}
