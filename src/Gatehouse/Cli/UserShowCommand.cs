using System.CommandLine;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Gatehouse.Protocol.Access;
using Gatehouse.Storage.Access;
using Gatehouse.Storage.Quotas;

namespace Gatehouse.Cli;

/// <summary>gatehouse user show NAME [--effective]: the account, and with --effective the merged settings and where each came from.</summary>
internal static class UserShowCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var name = new Argument<string>("NAME");
        var effective = new Option<bool>("--effective") { Description = "Show the merged result of the user's and their groups' settings, folders and permissions, with the source of each." };
        var command = new Command("show", "Show one account.") { name, effective, config };
        command.SetAction((parse, cancellationToken) => CliStore.RunAsync(parse.GetValue(config), async store =>
        {
            var user = parse.GetValue(name)!;
            var account = await store.Accounts.FindAsync(user, cancellationToken).ConfigureAwait(false);
            if (account is null)
            {
                return CliStore.Fail($"No user '{user}'.");
            }

            var groups = await store.Access.GroupsOfAsync(user, cancellationToken).ConfigureAwait(false);
            var usage = await store.Usage.LoadAsync(QuotaLedgers.HomeArea(user), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"User {user} ({account.Source}, {(account.Enabled ? "enabled" : "disabled")})");
            Console.WriteLine($"  home:        {account.HomeDirectory}");
            Console.WriteLine($"  groups:      {(groups.Count == 0 ? "(none)" : string.Join(", ", groups))}");
            Console.WriteLine($"  created:     {UserCommands.Format(account.CreatedAt)} UTC");
            Console.WriteLine($"  last login:  {UserCommands.Format(account.LastLoginAt)}");
            Console.WriteLine($"  home usage:  {(usage is { } used ? $"{QuotaLedger.Format(used.Bytes)} in {used.Files} files ({used.Bytes} bytes)" : "not measured yet (gatehouse quota scan)")}");
            if (parse.GetValue(effective))
            {
                await PrintEffectiveAsync(store, user, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PrintOwnAsync(store, Owner.User(user), cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>What the owner itself carries (shared with group show).</summary>
    public static async Task PrintOwnAsync(CliStore store, Owner owner, CancellationToken cancellationToken)
    {
        var settings = await store.Access.SettingsOfAsync(owner, cancellationToken).ConfigureAwait(false);
        Console.WriteLine("Settings:");
        foreach (var (key, value) in settings.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {key,-20} {value}");
        }

        if (settings.Count == 0)
        {
            Console.WriteLine("  (none of its own)");
        }

        Console.WriteLine("Folders:");
        foreach (var mount in await store.Access.MountsOfAsync(owner, cancellationToken).ConfigureAwait(false))
        {
            Console.WriteLine($"  {mount.VirtualPath,-24} folder {mount.Folder}{(mount.ReadOnly ? " (read-only)" : string.Empty)}");
        }

        Console.WriteLine("Permissions:");
        foreach (var rule in await store.Access.PermissionsOfAsync(owner, cancellationToken).ConfigureAwait(false))
        {
            Console.WriteLine($"  {rule.VirtualPath,-24} {FilePermissionNames.Format(rule.Permissions)}");
        }
    }

    private static async Task PrintEffectiveAsync(CliStore store, string user, CancellationToken cancellationToken)
    {
        var policy = await new AccessPolicyResolver(store.Access).ResolveAsync(user, cancellationToken).ConfigureAwait(false);
        Console.WriteLine("Effective settings:");
        foreach (var setting in policy.Settings)
        {
            Console.WriteLine($"  {setting.Key,-20} {setting.Value ?? "(not set)",-28} from {setting.Source}");
        }

        Console.WriteLine("Effective folders:");
        foreach (var mount in policy.Mounts.OrderBy(mount => mount.At.Value, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {mount.At.Value,-24} folder {mount.Folder.Name} ({mount.Folder.Path}){(mount.ReadOnly ? " read-only" : string.Empty)}  from {mount.Source}");
        }

        if (policy.Mounts.Count == 0)
        {
            Console.WriteLine("  (none: only the home)");
        }

        Console.WriteLine("Effective permissions (most specific path wins; a user's own rule beats the groups' at the same path):");
        foreach (var row in EffectivePermissions.Of(policy))
        {
            Console.WriteLine($"  {row.Path,-24} {row.Permissions,-40} {(row.From is [EffectivePermissions.DefaultSource] ? EffectivePermissions.DefaultSource : $"from {string.Join(", ", row.From)}")}");
        }

        foreach (var mount in policy.Mounts.Where(mount => mount.ReadOnly))
        {
            Console.WriteLine($"  {mount.At.Value,-24} changes refused: read-only folder {mount.Folder.Name}");
        }

        foreach (var conflict in policy.Conflicts)
        {
            Console.WriteLine($"Conflict: {conflict}");
        }
    }
}
