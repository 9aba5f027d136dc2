using System.CommandLine;
using Gatehouse.Accounts.Admin;

namespace Gatehouse.Cli;

/// <summary>gatehouse admin add|list|remove|passwd|totp-reset: the accounts of the admin side, separate from FTP users. There is no default administrator.</summary>
internal static class AdminCommands
{
    public static Command Create()
    {
        var command = new Command("admin", "Manage administrators of the admin API and web admin (separate from FTP users; every change is audited).");
        command.Add(Add());
        command.Add(List());
        command.Add(Remove());
        command.Add(Passwd());
        command.Add(TotpReset());
        return command;
    }

    private static Command Add()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME") { Description = "The administrator's name (letters, digits, '.', '_', '-', '@')." };
        var stdin = PasswordStdin();
        var role = new Option<AdminRole>("--role") { Description = "operator (reads only) or administrator (also changes); default administrator.", DefaultValueFactory = _ => AdminRole.Administrator };
        var command = new Command("add", "Create an administrator.") { name, stdin, role, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var admin = parse.GetValue(name)!;
            var password = PasswordInput.Read(parse.GetValue(stdin), out var error);
            if (password is null)
            {
                return CliStore.Fail(error);
            }

            if (await store.AdminAccounts.AddAsync(CliStore.Actor, admin, password, parse.GetValue(role), cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return CliStore.Fail(refused);
            }

            Console.WriteLine($"Created administrator '{admin}' ({parse.GetValue(role).ToString().ToLowerInvariant()}).");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var config = CommonOptions.Config();
        var command = new Command("list", "List administrators.") { config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var admins = await store.Admins.ListAsync(cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{"NAME",-24} {"ROLE",-13} CREATED (UTC)");
            foreach (var admin in admins)
            {
                Console.WriteLine($"{admin.Name,-24} {admin.Role.ToString().ToLowerInvariant(),-13} {UserCommands.Format(admin.CreatedAt)}");
            }

            if (admins.Count == 0)
            {
                Console.WriteLine("(no administrators; create one with 'gatehouse admin add NAME')");
            }

            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var command = new Command("remove", "Delete an administrator.") { name, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var admin = parse.GetValue(name)!;
            if (await store.AdminAccounts.RemoveAsync(CliStore.Actor, admin, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return CliStore.Fail(refused);
            }

            Console.WriteLine($"Removed administrator '{admin}'.");
            return 0;
        }));
        return command;
    }

    private static Command Passwd()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var stdin = PasswordStdin();
        var command = new Command("passwd", "Set an administrator's new password.") { name, stdin, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var admin = parse.GetValue(name)!;
            if (await store.Admins.FindAsync(admin, cancellationToken).ConfigureAwait(false) is null)
            {
                return CliStore.Fail($"No administrator '{admin}'.");
            }

            var password = PasswordInput.Read(parse.GetValue(stdin), out var error);
            if (password is null)
            {
                return CliStore.Fail(error);
            }

            if (await store.AdminAccounts.SetPasswordAsync(CliStore.Actor, admin, password, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return CliStore.Fail(refused);
            }

            Console.WriteLine($"Password of administrator '{admin}' changed.");
            return 0;
        }));
        return command;
    }

    private static Command TotpReset()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var command = new Command("totp-reset", "Forget an administrator's authenticator app and recovery codes (a lost phone): the next web login with the password sets up a new app.") { name, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var admin = parse.GetValue(name)!;
            if (await store.AdminAccounts.ResetTotpAsync(CliStore.Actor, admin, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return CliStore.Fail(refused);
            }

            Console.WriteLine($"Second factor of administrator '{admin}' reset: the next login with the password sets up a new authenticator app and new recovery codes.");
            return 0;
        }));
        return command;
    }

    private static Option<bool> PasswordStdin() => new("--password-stdin") { Description = "Read the password from the first line of standard input instead of prompting." };
}
