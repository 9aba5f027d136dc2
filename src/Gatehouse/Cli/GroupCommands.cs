using System.CommandLine;
using Gatehouse.Accounts.Access;

namespace Gatehouse.Cli;

/// <summary>gatehouse group add|list|remove|show|set.</summary>
internal static class GroupCommands
{
    public static Command Create()
    {
        var command = new Command("group", "Manage groups: settings, folders and permissions that their members inherit.");
        command.Add(Add());
        command.Add(List());
        command.Add(Remove());
        command.Add(Show());
        command.Add(Set());
        return command;
    }

    private static Command Add()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME") { Description = "The group name (same characters as user names)." };
        var description = new Option<string?>("--description") { Description = "What the group is for." };
        var settings = new SettingOptions(OwnerKind.Group);
        var command = new Command("add", "Create a group.") { name, description, config };
        settings.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var group = parse.GetValue(name)!;
            var refusal = await store.AccessAdministration.AddGroupAsync(CliStore.Actor, group, parse.GetValue(description), settings.Given(parse), cancellationToken).ConfigureAwait(false);
            return CliStore.Report(refusal, $"Created group '{group}'.");
        }));
        return command;
    }

    private static Command List()
    {
        var config = CommonOptions.Config();
        var command = new Command("list", "List groups with their members.") { config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            Console.WriteLine($"{"NAME",-24} {"MEMBERS",-40} DESCRIPTION");
            foreach (var group in await store.Access.ListGroupsAsync(cancellationToken).ConfigureAwait(false))
            {
                var members = await store.Access.MembersOfAsync(group.Name, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"{group.Name,-24} {string.Join(',', members),-40} {group.Description}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var command = new Command("remove", "Delete a group with its memberships, settings, mounts and permissions (users and files stay).") { name, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var group = parse.GetValue(name)!;
            return CliStore.Report(await store.AccessAdministration.RemoveGroupAsync(CliStore.Actor, group, cancellationToken).ConfigureAwait(false), $"Removed group '{group}'.");
        }));
        return command;
    }

    private static Command Show()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var command = new Command("show", "Show a group's members, settings, folders and permissions.") { name, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var group = parse.GetValue(name)!;
            var record = await store.Access.FindGroupAsync(group, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return CliStore.Fail($"No group '{group}'.");
            }

            var members = await store.Access.MembersOfAsync(group, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Group {group}{(record.Description.Length > 0 ? $": {record.Description}" : string.Empty)}");
            Console.WriteLine($"  members:     {(members.Count == 0 ? "(none)" : string.Join(", ", members))}");
            Console.WriteLine($"  created:     {UserCommands.Format(record.CreatedAt)} UTC");
            await UserShowCommand.PrintOwnAsync(store, Owner.Group(group), cancellationToken).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Set()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var settings = new SettingOptions(OwnerKind.Group);
        var command = new Command("set", "Change settings members inherit: gatehouse group set customers --tls required --quota-bytes 5G") { name, config };
        settings.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var group = parse.GetValue(name)!;
            return settings.AnyGiven(parse)
                ? await settings.ApplyAsync(parse, store, Owner.Group(group), cancellationToken).ConfigureAwait(false)
                : CliStore.Fail("Nothing to change: give a setting such as --tls required (see --help).");
        }));
        return command;
    }
}
