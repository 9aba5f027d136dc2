using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Gatehouse.Storage.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin.Web;

/// <summary>
/// The forms a user's and a group's page share: their own permission rules (set, remove) and the shared folders mounted
/// into their tree (mount, unmount), each change through <see cref="AccessAdministration"/> as the CLI's and the API's.
/// After a change the owner's page is shown again with what happened.
/// </summary>
internal static class OwnerForms
{
    /// <summary>Renders an owner's page: its name, a notice, an error.</summary>
    public delegate Task<IResult> ShowPage(HttpContext http, string name, string? notice, string? error);

    /// <param name="pages">"users" or "groups": where the owner's page lives under /ui.</param>
    public static void Map(IEndpointRouteBuilder ui, string pages, OwnerKind kind, ShowPage show)
    {
        ui.MapPost($"/{pages}/{{name}}/mounts", async (string name, HttpContext http, AccessAdministration administration) =>
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
                var (folder, at, readOnly) = (form["folder"].ToString(), form["at"].ToString(), form["readonly"] == "on");
                return await administration.MountAsync(WebAuthentication.Actor(http), folder, new Owner(kind, name), at, readOnly, http.RequestAborted).ConfigureAwait(false) is { } refused
                    ? await show(http, name, null, refused.Message).ConfigureAwait(false)
                    : await show(http, name, $"Folder '{folder}' mounted at {at}{(readOnly ? ", read-only" : string.Empty)}. Takes effect at the next login.", null).ConfigureAwait(false);
            })
            .RequireAuthorization(WebAuthentication.Write);
        ui.MapPost($"/{pages}/{{name}}/mounts/remove", async (string name, HttpContext http, AccessAdministration administration) =>
            {
                var at = (await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false))["at"].ToString();
                return await administration.UnmountAsync(WebAuthentication.Actor(http), new Owner(kind, name), at, http.RequestAborted).ConfigureAwait(false) is { } refused
                    ? await show(http, name, null, refused.Message).ConfigureAwait(false)
                    : await show(http, name, $"Unmounted {at}. Takes effect at the next login.", null).ConfigureAwait(false);
            })
            .RequireAuthorization(WebAuthentication.Write);
        ui.MapPost($"/{pages}/{{name}}/permissions", async (string name, HttpContext http, AccessAdministration administration) =>
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
                var (path, permissions) = (form["path"].ToString(), form["permissions"].ToString());
                return (await administration.SetPermissionAsync(WebAuthentication.Actor(http), new Owner(kind, name), path, permissions, http.RequestAborted).ConfigureAwait(false)).Refusal is { } refused
                    ? await show(http, name, null, refused.Message).ConfigureAwait(false)
                    : await show(http, name, $"Permissions at {path} set to {permissions}. Takes effect at the next login.", null).ConfigureAwait(false);
            })
            .RequireAuthorization(WebAuthentication.Write);
        ui.MapPost($"/{pages}/{{name}}/permissions/remove", async (string name, HttpContext http, AccessAdministration administration) =>
            {
                var path = (await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false))["path"].ToString();
                return await administration.RemovePermissionAsync(WebAuthentication.Actor(http), new Owner(kind, name), path, http.RequestAborted).ConfigureAwait(false) is { } refused
                    ? await show(http, name, null, refused.Message).ConfigureAwait(false)
                    : await show(http, name, $"Rule at {path} removed: the path inherits again.", null).ConfigureAwait(false);
            })
            .RequireAuthorization(WebAuthentication.Write);
    }

    /// <summary>The owner's own mounts and permission rules, with the forms that change them for an administrator.</summary>
    public static async Task<Html> RenderAsync(HttpContext http, string pages, Owner owner, IAccessStore access)
    {
        var canChange = WebAuthentication.CanChange(http);
        var baseAction = $"/{pages}/{Uri.EscapeDataString(owner.Name)}";
        var mounts = await access.MountsOfAsync(owner, http.RequestAborted).ConfigureAwait(false);
        var rules = await access.PermissionsOfAsync(owner, http.RequestAborted).ConfigureAwait(false);
        var folders = canChange ? await access.ListFoldersAsync(http.RequestAborted).ConfigureAwait(false) : [];
        var mountRows = Html.Join(mounts.Select(mount => Html.Of($"""
            <tr><td class="path">{mount.VirtualPath}</td><td><a href="{WebAdmin.Root}/folders/{Uri.EscapeDataString(mount.Folder)}">{mount.Folder}</a></td><td>{(mount.ReadOnly ? "read-only" : "read-write")}</td>
            <td>{(canChange ? WebPage.Form(http, baseAction + "/mounts/remove", Html.Of($"""<input type="hidden" name="at" value="{mount.VirtualPath}">"""), "Unmount", "inline") : Html.Empty)}</td></tr>
            """)));
        var ruleRows = Html.Join(rules.Select(rule => Html.Of($"""
            <tr><td class="path">{rule.VirtualPath}</td><td>{FilePermissionNames.Format(rule.Permissions)}</td>
            <td>{(canChange ? WebPage.Form(http, baseAction + "/permissions/remove", Html.Of($"""<input type="hidden" name="path" value="{rule.VirtualPath}">"""), "Remove", "inline") : Html.Empty)}</td></tr>
            """)));
        var forms = canChange
            ? Html.Of($"""
                <h2>Mount a folder</h2>
                {WebPage.Form(http, baseAction + "/mounts", Html.Of($"""
                    <label for="folder">Folder</label>
                    <select id="folder" name="folder" required>{Html.Join(folders.Select(folder => Html.Of($"<option value=\"{folder.Name}\">{folder.Name} ({folder.Path})</option>")))}</select>
                    <label for="at">At (virtual path)</label><input id="at" name="at" required placeholder="/shared/prices" maxlength="1024">
                    <label class="check"><input type="checkbox" name="readonly" checked> Read-only (list and download only)</label>
                    """), "Mount")}
                <h2>Set permissions</h2>
                {WebPage.Form(http, baseAction + "/permissions", Html.Of($"""
                    <label for="path">Path (virtual)</label><input id="path" name="path" required placeholder="/outgoing" maxlength="1024">
                    <label for="permissions">Allowed</label><input id="permissions" name="permissions" required placeholder="list,download" maxlength="200" aria-describedby="permission-names">
                    <p id="permission-names" class="hint">Names separated by commas: list, download, upload, overwrite, delete, rename, create-dirs, remove-dirs, set-times; or all, none. Replaces the rule at that path.</p>
                    """), "Set")}
                """)
            : Html.Empty;
        return Html.Of($"""
            <h2>Own mounts</h2>
            {(mounts.Count == 0 ? Html.Of($"<p>None.</p>") : Html.Of($"""<div class="scroll"><table id="own-mounts"><thead><tr><th scope="col">At</th><th scope="col">Folder</th><th scope="col">Access</th><th scope="col"><span class="hidden">Action</span></th></tr></thead><tbody>{mountRows}</tbody></table></div>"""))}
            <h2>Own permission rules</h2>
            {(rules.Count == 0 ? Html.Of($"<p>None.</p>") : Html.Of($"""<div class="scroll"><table id="own-permissions"><thead><tr><th scope="col">Path</th><th scope="col">Allowed</th><th scope="col"><span class="hidden">Action</span></th></tr></thead><tbody>{ruleRows}</tbody></table></div>"""))}
            {forms}
            """);
    }
}
