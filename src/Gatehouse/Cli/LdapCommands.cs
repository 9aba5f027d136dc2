using System.CommandLine;
using Gatehouse.Accounts;
using Gatehouse.Accounts.Ldap;
using Gatehouse.Hosting;

namespace Gatehouse.Cli;

/// <summary>gatehouse ldap test NAME: checks the Ldap configuration against the real directory without an FTP client.</summary>
internal static class LdapCommands
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME") { Description = "A directory user's login name." };
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the user's password from the first line of standard input instead of prompting." };
        var test = new Command("test", "Verify a directory user's password and show the directory groups and the Gatehouse groups they map to. Changes nothing.") { name, stdin, config };
        test.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var ldap = store.Options.Ldap;
            if (!ldap.Enabled)
            {
                return CliStore.Fail("LDAP is not enabled: set Ldap:Enabled to true and the other Ldap keys (see \"LDAP / Active Directory\" in docs/accounts.md).");
            }

            var password = PasswordInput.Read(parse.GetValue(stdin), out var error, confirm: false);
            if (password is null)
            {
                return CliStore.Fail(error);
            }

            var directory = DirectorySetup.CreateDirectory(ldap);
            var user = DirectoryLogin.AccountName(parse.GetValue(name)!);
            var result = await directory.VerifyAsync(user, password, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Directory:  {directory.Address}");
            if (result.Outcome != DirectoryOutcome.Verified)
            {
                return CliStore.Fail($"{result.Outcome}: {result.Detail}");
            }

            var mapped = new DirectoryGroupMap(ldap.GroupMappings).Map(result.Groups);
            Console.WriteLine($"Entry:      {result.DistinguishedName}");
            Console.WriteLine($"Groups:     {(result.Groups.Count == 0 ? "(none)" : string.Join("; ", result.Groups))}");
            Console.WriteLine($"Maps to:    {(mapped.Count == 0 ? "(no Gatehouse group)" : string.Join(", ", mapped))}");
            var local = await store.Accounts.FindAsync(user, cancellationToken).ConfigureAwait(false);
            var permitted = mapped.Count > 0 || ldap.AllowUnmappedUsers;
            Console.WriteLine("Login:      " + local switch
            {
                { Source: not Account.DirectorySource } => $"refused: '{user}' is a local account, which always uses its local password.",
                _ when !permitted => "refused: the user is in no mapped group (Ldap:GroupMappings, Ldap:AllowUnmappedUsers).",
                { Enabled: false } => "refused: the account is disabled here ('gatehouse user enable').",
                null => $"would succeed; the account and home {store.Paths.DefaultHome(user)} are created at the first login.",
                _ => "would succeed.",
            });
            return 0;
        }));
        return new Command("ldap", "LDAP / Active Directory logins.") { test };
    }
}
