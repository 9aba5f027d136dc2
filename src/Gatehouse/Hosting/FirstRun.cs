using System.Security.Cryptography;
using Gatehouse.Accounts;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Hosting;

/// <summary>
/// On an empty account store, creates the user "demo" with a random password and prints how to connect, once
/// (unless Accounts:CreateDemoUser is false, as in the Debian package, where the output would land in the journal).
/// </summary>
public static class FirstRun
{
    public const string DemoUser = "demo";

    public static async Task EnsureDemoUserAsync(IAccountStore store, PasswordHashing hashing, GatehouseOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        if (!options.Accounts.CreateDemoUser || await store.CountAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            return;
        }

        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y');
        var home = new DataPaths(options.DataDirectory).DefaultHome(DemoUser);
        Directory.CreateDirectory(home);
        var created = await store.AddAsync(new Account(DemoUser, hashing.Hash(password), home, true, DateTimeOffset.UtcNow, null), cancellationToken).ConfigureAwait(false);
        if (!created)
        {
            return;
        }

        var port = options.Ftp.ExplicitPort != 0 ? options.Ftp.ExplicitPort : options.Ftp.ImplicitPort;
        var scheme = options.Ftp.ExplicitPort != 0 ? "ftp" : "ftps";
        var tls = options.Tls.Policy != TlsPolicy.Disabled;
        await output.WriteLineAsync($"""

            ================================================================
             No accounts existed, so one was created (shown only this once):
               user:     {DemoUser}
               password: {password}
               home:     {home}
             Try it:
               curl {(tls ? "--ssl-reqd --insecure " : string.Empty)}--user {DemoUser}:{password} {scheme}://localhost:{port}/
               lftp -u {DemoUser},{password} -p {port} -e "{(tls ? "set ssl:verify-certificate no; " : string.Empty)}ls; bye" {(scheme == "ftps" ? "ftps://" : string.Empty)}localhost
             (--insecure / verify-certificate no only because the certificate is self-signed.)
             Manage accounts with: gatehouse user add|list|passwd|disable|remove
            ================================================================

            """).ConfigureAwait(false);
    }
}
