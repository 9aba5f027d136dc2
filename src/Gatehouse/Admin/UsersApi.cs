using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Gatehouse.Protocol.Access;
using Gatehouse.Storage.Quotas;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin;

/// <summary>/api/v1/users: the FTP accounts, read as <c>gatehouse user list|show</c> shows them and changed through the same services as the CLI's.</summary>
internal static class UsersApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var users = ApiKeyReach.Mark(api.MapGroup("/users").WithTags("Users"));
        ApiKeyReach.GuardUserRoutes(users);
        users.MapGet("/", async (IAccountStore accounts, IAccessStore access, HttpContext http, CancellationToken cancellationToken) =>
            {
                var reach = ApiKeyReach.Of(http);
                var views = new List<UserView>();
                foreach (var account in await accounts.ListAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (reach is null || await reach.ReachesAsync(account.Name, access, cancellationToken).ConfigureAwait(false))
                    {
                        views.Add(await ViewAsync(account, access, cancellationToken).ConfigureAwait(false));
                    }
                }

                return TypedResults.Ok(views.ToArray());
            })
            .WithSummary("Every FTP account with its status, groups and home (for a key limited to some users, those only).");
        users.MapGet("/{name}", async (string name, IAccountStore accounts, IAccessStore access, CancellationToken cancellationToken) =>
                await accounts.FindAsync(name, cancellationToken).ConfigureAwait(false) is { } account
                    ? AdminResults.Ok(await ViewAsync(account, access, cancellationToken).ConfigureAwait(false))
                    : AdminResults.NotFound("user", name))
            .Produces<UserView>()
            .WithSummary("One FTP account.");
        users.MapGet("/{name}/effective", async (string name, IAccountStore accounts, AccessPolicyResolver resolver, IUsageStore usage, CancellationToken cancellationToken) =>
            {
                if (await accounts.FindAsync(name, cancellationToken).ConfigureAwait(false) is null)
                {
                    return AdminResults.NotFound("user", name);
                }

                var policy = await resolver.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
                var used = await usage.LoadAsync(QuotaLedgers.HomeArea(name), cancellationToken).ConfigureAwait(false);
                return AdminResults.Ok(new EffectiveView(
                    [.. policy.Settings.Select(setting => new EffectiveSettingView(setting.Key, setting.Value, setting.Source))],
                    [.. policy.Mounts.OrderBy(mount => mount.At.Value, StringComparer.Ordinal).Select(mount => new EffectiveMountView(mount.At.Value, mount.Folder.Name, mount.Folder.Path, mount.ReadOnly, mount.Source))],
                    [.. EffectivePermissions.Of(policy)],
                    policy.Conflicts,
                    used is { } home ? new UsageView(QuotaLedgers.HomeArea(name), home.Bytes, home.Files) : null));
            })
            .Produces<EffectiveView>()
            .WithSummary("What applies to the user after merging their own and their groups' settings, folders and permissions, with the source of each (gatehouse user show --effective).");
        users.MapPost("/", async (NewUser user, UserAdministration administration, AccessAdministration access, IAccountStore accounts, IAccessStore store, HttpContext http) =>
            {
                var actor = AdminActor.Of(http);
                if (ApiKeyReach.Of(http) is { } reach)
                {
                    if (!reach.MayCreate(user.Name, user.Groups ?? []))
                    {
                        return ApiKeyReach.Refuse(http, $"it may create only the users it names, or members of its own groups ({string.Join(", ", reach.Groups)}).");
                    }

                    if (user.Home is not null)
                    {
                        return ApiKeyReach.Refuse(http, "it cannot choose a new user's home (it could be another user's directory); leave out 'home' for the default under the data directory.");
                    }
                }

                var settings = user.Settings ?? new Dictionary<string, string>();
                if ((AccessAdministration.CheckSettings(OwnerKind.User, settings) ?? await administration.AddAsync(actor, user.Name ?? string.Empty, user.Password, user.Home, user.Groups ?? [], http.RequestAborted).ConfigureAwait(false)) is { } refused)
                {
                    return AdminResults.Refused(refused);
                }

                if ((await access.SetSettingsAsync(actor, Owner.User(user.Name!), settings, http.RequestAborted).ConfigureAwait(false)).Refusal is { } badSetting)
                {
                    return AdminResults.Refused(badSetting);
                }

                var created = await accounts.FindAsync(user.Name!, http.RequestAborted).ConfigureAwait(false);
                return AdminResults.Created($"/api/v1/users/{user.Name}", await ViewAsync(created!, store, http.RequestAborted).ConfigureAwait(false));
            })
            .Produces<UserView>(StatusCodes.Status201Created)
            .Change("Create an account; the password must pass the password policy, the home (default: under the data directory) must not contain the data directory.");
        users.MapDelete("/{name}", async (string name, UserAdministration administration, HttpContext http) =>
                await administration.RemoveAsync(AdminActor.Of(http), name, http.RequestAborted).ConfigureAwait(false) is null ? AdminResults.NotFound("user", name) : TypedResults.NoContent())
            .Change("Delete an account with its memberships, settings, mounts and permissions; its home and files are kept.");
        users.MapPost("/{name}/disable", (string name, UserAdministration administration, HttpContext http) => SetEnabledAsync(name, false, administration, http))
            .Change("Stop an account from logging in (files and settings are kept).");
        users.MapPost("/{name}/enable", (string name, UserAdministration administration, HttpContext http) => SetEnabledAsync(name, true, administration, http))
            .Change("Allow an account to log in again.");
        users.MapPut("/{name}/password", async (string name, NewPassword password, UserAdministration administration, HttpContext http) =>
                AdminResults.Done(await administration.SetPasswordAsync(AdminActor.Of(http), name, password.Password, http.RequestAborted).ConfigureAwait(false)))
            .Change("Set a new password (local accounts); it must pass the password policy.");
        ApiKeyReach.BeyondUsers(
            users.MapPut("/{name}/home", async (string name, NewHome home, UserAdministration administration, HttpContext http) =>
                    AdminResults.Done(await administration.SetHomeAsync(AdminActor.Of(http), name, home.Home, http.RequestAborted).ConfigureAwait(false)))
                .Change("Move the account's home to another absolute directory (created if missing; files are not moved). Refused to keys limited to some users."),
            "move a home to another directory");
        OwnerAccessApi.Map(users, OwnerKind.User);
    }

    private static async Task<IResult> SetEnabledAsync(string name, bool enabled, UserAdministration administration, HttpContext http) =>
        await administration.SetEnabledAsync(AdminActor.Of(http), name, enabled, http.RequestAborted).ConfigureAwait(false) ? TypedResults.NoContent() : AdminResults.NotFound("user", name);

    private static async Task<UserView> ViewAsync(Account account, IAccessStore access, CancellationToken cancellationToken) => new(
        account.Name,
        account.Enabled,
        account.Source,
        account.HomeDirectory,
        account.CreatedAt,
        account.LastLoginAt,
        await access.GroupsOfAsync(account.Name, cancellationToken).ConfigureAwait(false));
}
