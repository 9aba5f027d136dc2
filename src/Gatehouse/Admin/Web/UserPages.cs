using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Gatehouse.Protocol.Access;
using Gatehouse.Storage.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Admin.Web;

/// <summary>
/// /ui/users: the FTP accounts; one account with what <c>gatehouse user show --effective</c> shows (the same resolver
/// the server applies at login); creating an account (through <see cref="UserAdministration"/>, as the CLI and the
/// API do), and its own mounts and permission rules (<see cref="OwnerForms"/>). Changes need the administrator role.
/// </summary>
internal static class UserPages
{
    public static void Map(IEndpointRouteBuilder ui)
    {
        ui.MapGet("/users", (HttpContext http, IAccountStore accounts, IAccessStore access) => ListAsync(http, accounts, access, null, null))
            .RequireAuthorization(WebAuthentication.Read);
        ui.MapPost("/users", async (HttpContext http, UserAdministration administration, IAccountStore accounts, IAccessStore access) =>
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
                var name = form["name"].ToString();
                return await administration.AddAsync(WebAuthentication.Actor(http), name, form["password"].ToString(), null, [], http.RequestAborted).ConfigureAwait(false) is { } refused
                    ? await ListAsync(http, accounts, access, null, refused.Message).ConfigureAwait(false)
                    : await ListAsync(http, accounts, access, $"User '{name}' created.", null).ConfigureAwait(false);
            })
            .RequireAuthorization(WebAuthentication.Write);
        ui.MapGet("/users/{name}", (string name, HttpContext http) => ShowAsync(http, name, null, null))
            .RequireAuthorization(WebAuthentication.Read);
        OwnerForms.Map(ui, "users", OwnerKind.User, ShowAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext http, IAccountStore accounts, IAccessStore access, string? notice, string? error)
    {
        var rows = new List<Html>();
        foreach (var account in await accounts.ListAsync(http.RequestAborted).ConfigureAwait(false))
        {
            var groups = await access.GroupsOfAsync(account.Name, http.RequestAborted).ConfigureAwait(false);
            rows.Add(Html.Of($"""
                <tr><td><a href="{WebAdmin.Root}/users/{Uri.EscapeDataString(account.Name)}">{account.Name}</a></td><td>{(account.Enabled ? "enabled" : "disabled")}</td>
                <td>{account.Source}</td><td>{string.Join(", ", groups)}</td><td class="path">{account.HomeDirectory}</td><td>{WebPage.Time(account.LastLoginAt)}</td></tr>
                """));
        }

        var create = WebAuthentication.CanChange(http)
            ? Html.Of($"""
                <h2>New user</h2>
                {WebPage.Form(http, "/users", Html.Of($"""
                    <label for="name">Name</label><input id="name" name="name" required maxlength="64" autocomplete="off">
                    <label for="password">Password</label><input id="password" name="password" type="password" required maxlength="128" autocomplete="new-password">
                    """), "Create user")}
                """)
            : Html.Empty;
        return WebPage.Render(http, "Users", Html.Of($"""
            {WebPage.Notice(notice)}{WebPage.Notice(error, error: true)}
            <div class="scroll"><table>
            <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col">Groups</th><th scope="col">Home</th><th scope="col">Last login</th></tr></thead>
            <tbody>{Html.Join(rows)}</tbody>
            </table></div>
            {create}
            """), error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ShowAsync(HttpContext http, string name, string? notice, string? error)
    {
        var accounts = http.RequestServices.GetRequiredService<IAccountStore>();
        var access = http.RequestServices.GetRequiredService<IAccessStore>();
        if (await accounts.FindAsync(name, http.RequestAborted).ConfigureAwait(false) is not { } account)
        {
            return WebPage.Render(http, "No such user", Html.Of($"<p>No user '{name}'.</p>"), StatusCodes.Status404NotFound);
        }

        var policy = await new AccessPolicyResolver(access).ResolveAsync(name, http.RequestAborted).ConfigureAwait(false);
        var settings = Html.Join(policy.Settings.Select(setting => Html.Of($"<tr><td>{setting.Key}</td><td>{setting.Value ?? "(not set)"}</td><td>{setting.Source}</td></tr>")));
        var mounts = Html.Join(policy.Mounts.OrderBy(mount => mount.At.Value, StringComparer.Ordinal).Select(mount =>
            Html.Of($"<tr><td class=\"path\">{mount.At.Value}</td><td>{mount.Folder.Name}</td><td class=\"path\">{mount.Folder.Path}</td><td>{(mount.ReadOnly ? "read-only" : "read-write")}</td><td>{mount.Source}</td></tr>")));
        var permissions = new List<Html>();
        if (policy.Permissions.Resolve(Gatehouse.Storage.VirtualPath.Root).Rule is null)
        {
            permissions.Add(Html.Of($"<tr><td class=\"path\">/</td><td>{FilePermissionNames.Format(policy.Permissions.Default)}</td><td>default, where no rule applies</td></tr>"));
        }

        foreach (var path in policy.Permissions.Rules.Select(rule => rule.Path).Distinct().OrderBy(path => path.Value, StringComparer.Ordinal))
        {
            var decision = policy.Permissions.Resolve(path);
            var sources = policy.Permissions.Rules.Where(rule => rule.Path == path && (decision.Rule?.Layer != RuleLayer.User || rule.Layer == RuleLayer.User)).Select(rule => rule.Source);
            permissions.Add(Html.Of($"<tr><td class=\"path\">{path.Value}</td><td>{FilePermissionNames.Format(decision.Permissions)}</td><td>{string.Join(", ", sources)}</td></tr>"));
        }

        permissions.AddRange(policy.Mounts.Where(mount => mount.ReadOnly).Select(mount =>
            Html.Of($"<tr><td class=\"path\">{mount.At.Value}</td><td>changes refused</td><td>read-only folder {mount.Folder.Name}</td></tr>")));
        var own = await OwnerForms.RenderAsync(http, "users", Owner.User(name), access).ConfigureAwait(false);
        return WebPage.Render(http, $"User {name}", Html.Of($"""
            {WebPage.Notice(notice)}{WebPage.Notice(error, error: true)}
            <dl class="facts">
            <dt>Status</dt><dd>{(account.Enabled ? "enabled" : "disabled")} ({account.Source})</dd>
            <dt>Home</dt><dd class="path">{account.HomeDirectory}</dd>
            <dt>Groups</dt><dd>{(policy.Groups.Count == 0 ? "(none)" : string.Join(", ", policy.Groups))}</dd>
            <dt>Created</dt><dd>{WebPage.Time(account.CreatedAt)}</dd>
            <dt>Last login</dt><dd>{WebPage.Time(account.LastLoginAt)}</dd>
            </dl>
            <h2>Effective settings</h2>
            <div class="scroll"><table><thead><tr><th scope="col">Setting</th><th scope="col">Value</th><th scope="col">From</th></tr></thead><tbody>{settings}</tbody></table></div>
            <h2>Effective folders</h2>
            {(policy.Mounts.Count == 0 ? Html.Of($"<p>None: only the home.</p>") : Html.Of($"""<div class="scroll"><table id="mounts"><thead><tr><th scope="col">At</th><th scope="col">Folder</th><th scope="col">Directory</th><th scope="col">Access</th><th scope="col">From</th></tr></thead><tbody>{mounts}</tbody></table></div>"""))}
            <h2>Effective permissions</h2>
            <p>The most specific path wins; a user's own rule beats the groups' at the same path.</p>
            <div class="scroll"><table><thead><tr><th scope="col">Path</th><th scope="col">Allowed</th><th scope="col">From</th></tr></thead><tbody>{Html.Join(permissions)}</tbody></table></div>
            {Html.Join(policy.Conflicts.Select(conflict => Html.Of($"<p class=\"error\">Conflict: {conflict}</p>")))}
            {own}
            """), error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }
}
