using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Gatehouse.Storage.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin;

/// <summary>
/// Settings, mounts and permissions of a user, group or folder, mapped once for each kind of owner under its own
/// route (/users/{name}/settings, /groups/{name}/permissions, ...): the same service calls and answers for all three.
/// </summary>
internal static class OwnerAccessApi
{
    public static void Map(RouteGroupBuilder owner, OwnerKind kind)
    {
        var what = kind.ToString().ToLowerInvariant();
        owner.MapGet("/{name}/settings", async (string name, IAccessStore access, AccessAdministration administration, CancellationToken cancellationToken) =>
                await administration.CheckOwnerAsync(new Owner(kind, name), "name", cancellationToken).ConfigureAwait(false) is { } missing
                    ? AdminResults.Refused(missing)
                    : AdminResults.Ok(new Dictionary<string, string>(await access.SettingsOfAsync(new Owner(kind, name), cancellationToken).ConfigureAwait(false))))
            .Produces<Dictionary<string, string>>()
            .WithSummary($"The {what}'s own settings (not inherited ones), by key.");
        owner.MapPatch("/{name}/settings", async (string name, Dictionary<string, string> settings, AccessAdministration administration, HttpContext http) =>
                AdminResults.Done((await administration.SetSettingsAsync(AdminActor.Of(http), new Owner(kind, name), settings, http.RequestAborted).ConfigureAwait(false)).Refusal))
            .Change($"Change some of the {what}'s settings, by key (the same keys and values as the CLI's --options; \"inherit\" removes one). All are checked before any is written.");

        if (kind != OwnerKind.Folder)
        {
            MapMounts(owner, kind, what);
            MapPermissions(owner, kind, what);
        }
    }

    private static void MapMounts(RouteGroupBuilder owner, OwnerKind kind, string what)
    {
        owner.MapGet("/{name}/mounts", async (string name, IAccessStore access, AccessAdministration administration, CancellationToken cancellationToken) =>
                await administration.CheckOwnerAsync(new Owner(kind, name), "name", cancellationToken).ConfigureAwait(false) is { } missing
                    ? AdminResults.Refused(missing)
                    : AdminResults.Ok((await access.MountsOfAsync(new Owner(kind, name), cancellationToken).ConfigureAwait(false))
                        .Select(mount => new MountView(mount.Folder, mount.VirtualPath, mount.ReadOnly)).ToArray()))
            .Produces<MountView[]>()
            .WithSummary($"The shared folders mounted into the {what}'s tree.");
        // A shared folder is not one of a limited key's users: mounting it would hand them files the key does not reach.
        ApiKeyReach.BeyondUsers(
            owner.MapPut("/{name}/mounts", async (string name, MountView mount, AccessAdministration administration, HttpContext http) =>
                    mount.Folder is null ? AdminResults.Missing("folder")
                    : AdminResults.Done(await administration.MountAsync(AdminActor.Of(http), mount.Folder, new Owner(kind, name), mount.At, mount.ReadOnly, http.RequestAborted).ConfigureAwait(false)))
                .Change($"Mount a shared folder at a virtual path of the {what}'s tree (replacing a mount there); takes effect at the next login. Refused to keys limited to some users."),
            "mount a shared folder");
        owner.MapDelete("/{name}/mounts", async (string name, string? at, AccessAdministration administration, HttpContext http) =>
                AdminResults.Done(await administration.UnmountAsync(AdminActor.Of(http), new Owner(kind, name), at, http.RequestAborted).ConfigureAwait(false)))
            .Change($"Remove the mount at ?at=/virtual/path from the {what}'s tree (the folder stays).");
    }

    private static void MapPermissions(RouteGroupBuilder owner, OwnerKind kind, string what)
    {
        owner.MapGet("/{name}/permissions", async (string name, IAccessStore access, AccessAdministration administration, CancellationToken cancellationToken) =>
                await administration.CheckOwnerAsync(new Owner(kind, name), "name", cancellationToken).ConfigureAwait(false) is { } missing
                    ? AdminResults.Refused(missing)
                    : AdminResults.Ok((await access.PermissionsOfAsync(new Owner(kind, name), cancellationToken).ConfigureAwait(false))
                        .Select(rule => new PermissionView(rule.VirtualPath, FilePermissionNames.Format(rule.Permissions))).ToArray()))
            .Produces<PermissionView[]>()
            .WithSummary($"The {what}'s own per-path permission rules.");
        owner.MapPut("/{name}/permissions", async (string name, PermissionView rule, AccessAdministration administration, HttpContext http) =>
                AdminResults.Done((await administration.SetPermissionAsync(AdminActor.Of(http), new Owner(kind, name), rule.Path, rule.Permissions, http.RequestAborted).ConfigureAwait(false)).Refusal))
            .Change($"Set what the {what} may do inside a path (list, download, upload, overwrite, delete, rename, create-dirs, remove-dirs, set-times; all; none), replacing its rule there.");
        owner.MapDelete("/{name}/permissions", async (string name, string? path, AccessAdministration administration, HttpContext http) =>
                AdminResults.Done(await administration.RemovePermissionAsync(AdminActor.Of(http), new Owner(kind, name), path, http.RequestAborted).ConfigureAwait(false)))
            .Change($"Remove the {what}'s rule at ?path=/virtual/path, so the path inherits again.");
    }
}
