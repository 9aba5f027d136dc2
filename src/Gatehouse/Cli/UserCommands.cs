using System.CommandLine;
using System.Globalization;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;

namespace Gatehouse.Cli;

/// <summary>gatehouse user add|list|remove|passwd|disable|enable|set|show: manages accounts directly in the store (safe while the server runs).</summary>
internal static class UserCommands
{
    public static Command Create()
    {
        var command = new Command("user", "Manage accounts in the embedded account store.");
        command.Add(Add());
        command.Add(List());
        command.Add(Remove());
        command.Add(Passwd());
        command.Add(SetEnabled("disable", enabled: false));
        command.Add(SetEnabled("enable", enabled: true));
        command.Add(Set());
        command.Add(UserShowCommand.Create());
        return command;
    }

    private static Command Add()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME") { Description = "The user name (letters, digits, '.', '_', '-', '@')." };
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input instead of prompting." };
        var home = new Option<DirectoryInfo?>("--home") { Description = "Home directory (default: <DataDirectory>/home/NAME). The user sees it as /." };
        var groups = GroupOption("--group", "Make the user a member of this group (repeat for several).");
        var settings = new SettingOptions(OwnerKind.User);
        var command = new Command("add", "Create an account.") { name, stdin, home, groups, config };
        settings.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var user = parse.GetValue(name)!;
            var password = PasswordInput.Read(parse.GetValue(stdin), out var error);
            if (password is null)
            {
                return CliStore.Fail(error);
            }

            var memberOf = Split(parse.GetValue(groups));
            var directory = parse.GetValue(home)?.FullName;
            if (AccessAdministration.CheckSettings(OwnerKind.User, settings.Given(parse)) is { } badSetting)
            {
                return CliStore.Fail(badSetting.Message + Environment.NewLine + "Nothing was changed.");
            }

            if (await store.Users.AddAsync(CliStore.Actor, user, password, directory, memberOf, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return CliStore.Fail(refused.Message);
            }

            Console.WriteLine($"Created user '{user}' with home {directory ?? store.Paths.DefaultHome(user)}{(memberOf.Count > 0 ? $", member of {string.Join(", ", memberOf)}" : string.Empty)}.");
            return await settings.ApplyAsync(parse, store, Owner.User(user), cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command List()
    {
        var config = CommonOptions.Config();
        var command = new Command("list", "List accounts.") { config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var accounts = await store.Accounts.ListAsync(cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{"NAME",-24} {"STATUS",-9} {"SOURCE",-6} {"CREATED (UTC)",-17} {"LAST LOGIN (UTC)",-17} {"GROUPS",-24} HOME");
            foreach (var account in accounts)
            {
                var groups = string.Join(',', await store.Access.GroupsOfAsync(account.Name, cancellationToken).ConfigureAwait(false));
                Console.WriteLine(
                    $"{account.Name,-24} {(account.Enabled ? "enabled" : "disabled"),-9} {account.Source,-6} {Format(account.CreatedAt),-17} {Format(account.LastLoginAt),-17} {groups,-24} {account.HomeDirectory}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var command = new Command("remove", "Delete an account with its memberships, settings, mounts and permissions (its home directory and files are kept).") { name, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var user = parse.GetValue(name)!;
            if (await store.Users.RemoveAsync(CliStore.Actor, user, cancellationToken).ConfigureAwait(false) is not { } account)
            {
                return CliStore.Fail($"No user '{user}'.");
            }

            Console.WriteLine($"Removed user '{user}'. Files in {account.HomeDirectory} were kept.");
            return 0;
        }));
        return command;
    }

    private static Command Passwd()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the new password from the first line of standard input." };
        var command = new Command("passwd", "Set a new password.") { name, stdin, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var user = parse.GetValue(name)!;
            var account = await store.Accounts.FindAsync(user, cancellationToken).ConfigureAwait(false);
            if (account is null)
            {
                return CliStore.Fail($"No user '{user}'.");
            }

            var password = PasswordInput.Read(parse.GetValue(stdin), out var error);
            if (password is null)
            {
                return CliStore.Fail(error);
            }

            if (await store.Users.SetPasswordAsync(CliStore.Actor, user, password, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return CliStore.Fail(refused.Message);
            }

            Console.WriteLine($"Password of '{user}' changed.");
            return 0;
        }));
        return command;
    }

    private static Command SetEnabled(string verb, bool enabled)
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var command = new Command(verb, enabled ? "Allow an account to log in again." : "Stop an account from logging in (files and settings are kept).") { name, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var user = parse.GetValue(name)!;
            if (!await store.Users.SetEnabledAsync(CliStore.Actor, user, enabled, cancellationToken).ConfigureAwait(false))
            {
                return CliStore.Fail($"No user '{user}'.");
            }

            Console.WriteLine($"User '{user}' {verb}d.");
            return 0;
        }));
        return command;
    }

    private static Command Set()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var addGroups = GroupOption("--add-group", "Add the user to this group (repeat for several).");
        var removeGroups = GroupOption("--remove-group", "Take the user out of this group (repeat for several).");
        var home = new Option<DirectoryInfo?>("--home") { Description = "Move the user's home to this directory (files are not moved)." };
        var settings = new SettingOptions(OwnerKind.User);
        var command = new Command("set", "Change a user's groups, home or settings: gatehouse user set alice --quota-bytes 10G --allow 192.0.2.0/24") { name, addGroups, removeGroups, home, config };
        settings.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var user = parse.GetValue(name)!;
            if (await store.AccessAdministration.CheckOwnerAsync(Owner.User(user), "name", cancellationToken).ConfigureAwait(false) is { } missing)
            {
                return CliStore.Fail(missing.Message);
            }

            var joining = Split(parse.GetValue(addGroups));
            var leaving = Split(parse.GetValue(removeGroups));
            if (joining.Count + leaving.Count == 0 && parse.GetValue(home) is null && !settings.AnyGiven(parse))
            {
                return CliStore.Fail("Nothing to change: give --add-group, --remove-group, --home or a setting such as --quota-bytes (see --help).");
            }

            foreach (var group in joining)
            {
                if (await store.AccessAdministration.CheckOwnerAsync(Owner.Group(group), "group", cancellationToken).ConfigureAwait(false) is { } noGroup)
                {
                    return CliStore.Fail(noGroup.Message);
                }
            }

            var result = await settings.ApplyAsync(parse, store, Owner.User(user), cancellationToken).ConfigureAwait(false);
            if (result != 0)
            {
                return result;
            }

            foreach (var (group, member) in joining.Select(group => (group, true)).Concat(leaving.Select(group => (group, false))))
            {
                if (await store.AccessAdministration.SetMembershipAsync(CliStore.Actor, user, group, member, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return CliStore.Fail(refused.Message);
                }

                Console.WriteLine(member ? $"user {user}: member of group {group}" : $"user {user}: not in group {group}");
            }

            if (parse.GetValue(home) is { } directory)
            {
                var moved = await store.Users.SetHomeAsync(CliStore.Actor, user, directory.FullName, cancellationToken).ConfigureAwait(false);
                if (moved is not null)
                {
                    return CliStore.Fail(moved.Message);
                }

                Console.WriteLine($"user {user}: home = {directory.FullName}");
            }

            return 0;
        }));
        return command;
    }

    private static Option<string[]> GroupOption(string name, string description) => new(name) { Description = description, Arity = ArgumentArity.ZeroOrMore };

    /// <summary>Accepts both "--group a --group b" and "--group a,b".</summary>
    private static List<string> Split(string[]? values) =>
        (values ?? []).SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToList();

    public static string Format(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "never";
}
