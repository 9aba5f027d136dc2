using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Admin.Web;

/// <summary>
/// /ui/folders: the shared folders, their real directories, settings and where they are mounted; registering one
/// (through <see cref="AccessAdministration"/>, whose confinement refuses the data directory and its parents, as for
/// the CLI and the API), deleting one with its mounts. Mounting is done from a user's or a group's page. Changes need
/// the administrator role.
/// </summary>
internal static class FolderPages
{
    public static void Map(IEndpointRouteBuilder ui)
    {
        ui.MapGet("/folders", (HttpContext http, IAccessStore access) => ListAsync(http, access, null, null)).RequireAuthorization(WebAuthentication.Read);
        ui.MapPost("/folders", async (HttpContext http, AccessAdministration administration, IAccessStore access) =>
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
                var name = form["name"].ToString();
                return await administration.AddFolderAsync(WebAuthentication.Actor(http), name, form["path"].ToString(), new Dictionary<string, string>(), http.RequestAborted).ConfigureAwait(false) is { } refused
                    ? await ListAsync(http, access, null, refused.Message).ConfigureAwait(false)
                    : await ListAsync(http, access, $"Folder '{name}' registered; mount it from a user's or a group's page.", null).ConfigureAwait(false);
            })
            .RequireAuthorization(WebAuthentication.Write);
        ui.MapPost("/folders/{name}/delete", async (string name, HttpContext http, AccessAdministration administration, IAccessStore access) =>
                await administration.RemoveFolderAsync(WebAuthentication.Actor(http), name, http.RequestAborted).ConfigureAwait(false) is { } refused
                    ? await ListAsync(http, access, null, refused.Message).ConfigureAwait(false)
                    : await ListAsync(http, access, $"Folder '{name}' deleted with its mounts; the directory and its files are kept.", null).ConfigureAwait(false))
            .RequireAuthorization(WebAuthentication.Write);
        ui.MapGet("/folders/{name}", async (string name, HttpContext http, IAccessStore access) =>
            {
                if (await access.FindFolderAsync(name, http.RequestAborted).ConfigureAwait(false) is not { } folder)
                {
                    return WebPage.Render(http, "No such folder", Html.Of($"<p>No folder '{name}'.</p>"), StatusCodes.Status404NotFound);
                }

                var settings = await access.SettingsOfAsync(Owner.Folder(name), http.RequestAborted).ConfigureAwait(false);
                var mounts = await access.MountsOfFolderAsync(name, http.RequestAborted).ConfigureAwait(false);
                return WebPage.Render(http, $"Folder {name}", Html.Of($"""
                    <dl class="facts">
                    <dt>Directory</dt><dd class="path">{folder.Path}</dd>
                    <dt>Registered</dt><dd>{WebPage.Time(folder.CreatedAt)}</dd>
                    <dt>Settings</dt><dd>{(settings.Count == 0 ? "(none)" : string.Join("; ", settings.Select(setting => $"{setting.Key}={setting.Value}")))}</dd>
                    </dl>
                    <h2>Mounted</h2>
                    {(mounts.Count == 0 ? Html.Of($"<p>Nowhere yet.</p>") : Html.Of($"""<div class="scroll"><table id="folder-mounts"><thead><tr><th scope="col">For</th><th scope="col">At</th><th scope="col">Access</th></tr></thead><tbody>{Html.Join(mounts.Select(Row))}</tbody></table></div>"""))}
                    {(WebAuthentication.CanChange(http) ? Html.Of($"""
                        <h2>Delete the folder</h2>
                        <p>Its mounts go with it; the directory and its files are kept.</p>
                        {WebPage.Form(http, $"/folders/{Uri.EscapeDataString(name)}/delete", Html.Empty, $"Delete folder {name}")}
                        """) : Html.Empty)}
                    """));
            })
            .RequireAuthorization(WebAuthentication.Read);
    }

    private static Html Row(MountRecord mount) => Html.Of($"""
        <tr><td><a href="{WebAdmin.Root}/{(mount.Owner.Kind == OwnerKind.Group ? "groups" : "users")}/{Uri.EscapeDataString(mount.Owner.Name)}">{mount.Owner.KindText} {mount.Owner.Name}</a></td>
        <td class="path">{mount.VirtualPath}</td><td>{(mount.ReadOnly ? "read-only" : "read-write")}</td></tr>
        """);

    private static async Task<IResult> ListAsync(HttpContext http, IAccessStore access, string? notice, string? error)
    {
        var rows = new List<Html>();
        foreach (var folder in await access.ListFoldersAsync(http.RequestAborted).ConfigureAwait(false))
        {
            var mounts = await access.MountsOfFolderAsync(folder.Name, http.RequestAborted).ConfigureAwait(false);
            rows.Add(Html.Of($"""<tr><td><a href="{WebAdmin.Root}/folders/{Uri.EscapeDataString(folder.Name)}">{folder.Name}</a></td><td class="path">{folder.Path}</td><td class="number">{mounts.Count}</td></tr>"""));
        }

        var create = WebAuthentication.CanChange(http)
            ? Html.Of($"""
                <h2>Register a folder</h2>
                {WebPage.Form(http, "/folders", Html.Of($"""
                    <label for="name">Name</label><input id="name" name="name" required maxlength="64" autocomplete="off">
                    <label for="path">Directory (absolute; created if missing)</label><input id="path" name="path" required maxlength="1024" placeholder="/srv/exchange/prices" autocomplete="off">
                    """), "Register folder")}
                """)
            : Html.Empty;
        return WebPage.Render(http, "Folders", Html.Of($"""
            {WebPage.Notice(notice)}{WebPage.Notice(error, error: true)}
            <div class="scroll"><table id="folders">
            <thead><tr><th scope="col">Name</th><th scope="col">Directory</th><th scope="col">Mounts</th></tr></thead>
            <tbody>{Html.Join(rows)}</tbody>
            </table></div>
            {create}
            """), error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }
}
