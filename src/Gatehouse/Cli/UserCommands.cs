using System.CommandLine;
using System.Globalization;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Sqlite;
using Gatehouse.Hosting;

namespace Gatehouse.Cli;

/// <summary>gatehouse user add|list|remove|passwd|disable|enable: manages the account store directly (safe while the server runs).</summary>
internal static class UserCommands
{
    private const int Failure = 1;

    public static Command Create()
    {
        var command = new Command("user", "Manage accounts in the embedded account store.");
        command.Add(Add());
        command.Add(List());
        command.Add(Remove());
        command.Add(Passwd());
        command.Add(SetEnabled("disable", enabled: false));
        command.Add(SetEnabled("enable", enabled: true));
        return command;
    }

    private static Command Add()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME") { Description = "The user name (letters, digits, '.', '_', '-', '@')." };
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input instead of prompting." };
        var home = new Option<DirectoryInfo?>("--home") { Description = "Home directory (default: <DataDirectory>/home/NAME). The user sees it as /." };
        var command = new Command("add", "Create an account.") { name, stdin, home, config };
        command.SetAction((parse, cancellationToken) => WithStoreAsync(parse.GetValue(config), async (store, paths) =>
        {
            var user = parse.GetValue(name)!;
            if (!AccountNames.IsValid(user, out var error))
            {
                return Fail(error);
            }

            if (await store.FindAsync(user, cancellationToken).ConfigureAwait(false) is not null)
            {
                return Fail($"User '{user}' already exists; use 'user passwd' to change the password.");
            }

            var password = PasswordInput.Read(parse.GetValue(stdin), out error);
            if (password is null)
            {
                return Fail(error);
            }

            var directory = parse.GetValue(home)?.FullName ?? paths.DefaultHome(user);
            Directory.CreateDirectory(directory);
            var account = new Account(user, new PasswordHashing().Hash(password), directory, true, DateTimeOffset.UtcNow, null);
            if (!await store.AddAsync(account, cancellationToken).ConfigureAwait(false))
            {
                return Fail($"User '{user}' already exists.");
            }

            Console.WriteLine($"Created user '{user}' with home {directory}.");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var config = CommonOptions.Config();
        var command = new Command("list", "List accounts.") { config };
        command.SetAction((parse, cancellationToken) => WithStoreAsync(parse.GetValue(config), async (store, _) =>
        {
            var accounts = await store.ListAsync(cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"{"NAME",-24} {"STATUS",-9} {"CREATED (UTC)",-17} {"LAST LOGIN (UTC)",-17} HOME");
            foreach (var account in accounts)
            {
                Console.WriteLine($"{account.Name,-24} {(account.Enabled ? "enabled" : "disabled"),-9} {Format(account.CreatedAt),-17} {Format(account.LastLoginAt),-17} {account.HomeDirectory}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var command = new Command("remove", "Delete an account (its home directory and files are kept).") { name, config };
        command.SetAction((parse, cancellationToken) => WithStoreAsync(parse.GetValue(config), async (store, _) =>
        {
            var user = parse.GetValue(name)!;
            var account = await store.FindAsync(user, cancellationToken).ConfigureAwait(false);
            if (account is null || !await store.RemoveAsync(user, cancellationToken).ConfigureAwait(false))
            {
                return Fail($"No user '{user}'.");
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
        command.SetAction((parse, cancellationToken) => WithStoreAsync(parse.GetValue(config), async (store, _) =>
        {
            var user = parse.GetValue(name)!;
            if (await store.FindAsync(user, cancellationToken).ConfigureAwait(false) is null)
            {
                return Fail($"No user '{user}'.");
            }

            var password = PasswordInput.Read(parse.GetValue(stdin), out var error);
            if (password is null)
            {
                return Fail(error);
            }

            await store.SetPasswordHashAsync(user, new PasswordHashing().Hash(password), cancellationToken).ConfigureAwait(false);
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
        command.SetAction((parse, cancellationToken) => WithStoreAsync(parse.GetValue(config), async (store, _) =>
        {
            var user = parse.GetValue(name)!;
            if (!await store.SetEnabledAsync(user, enabled, cancellationToken).ConfigureAwait(false))
            {
                return Fail($"No user '{user}'.");
            }

            Console.WriteLine($"User '{user}' {verb}d.");
            return 0;
        }));
        return command;
    }

    private static async Task<int> WithStoreAsync(FileInfo? configFile, Func<IAccountStore, DataPaths, Task<int>> action)
    {
        var configuration = CommonOptions.LoadOrReport(configFile);
        if (configuration?.Options is not { } options)
        {
            return CommonOptions.ConfigurationError;
        }

        var paths = new DataPaths(options.DataDirectory);
        Directory.CreateDirectory(paths.Root);
        return await action(new SqliteAccountStore(paths.AccountDatabase), paths).ConfigureAwait(false);
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return Failure;
    }

    private static string Format(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "never";
}
