using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Admin.Web;

/// <summary>
/// /ui/groups: the groups with their members; one group with its own settings, members (add, take out), mounts and
/// permission rules (<see cref="OwnerForms"/>). Every change through <see cref="AccessAdministration"/>, as the CLI's
/// and the API's. Changes need the administrator role.
/// </summary>
internal static class GroupPages
{
    public static void Map(IEndpointRouteBuilder ui)
    {
        ui.MapGet("/groups", (HttpContext http, IAccessStore access) => ListAsync(http, access, null, null)).RequireAuthorization(WebAuthentication.Read);
        ui.MapPost("/groups", async (HttpContext http, AccessAdministration administration, IAccessStore access) =>
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
                var name = form["name"].ToString();
                var description = form["description"].ToString();
                return await administration.AddGroupAsync(WebAuthentication.Actor(http), name, description.Length == 0 ? null : description, new Dictionary<string, string>(), http.RequestAborted).ConfigureAwait(false) is { } refused
                    ? await ListAsync(http, access, null, refused.Message).ConfigureAwait(false)
                    : await ListAsync(http, access, $"Group '{name}' created.", null).ConfigureAwait(false);
            })
            .RequireAuthorization(WebAuthentication.Write);
        ui.MapGet("/groups/{name}", (string name, HttpContext http) => ShowAsync(http, name, null, null)).RequireAuthorization(WebAuthentication.Read);
        ui.MapPost("/groups/{name}/members", (string name, HttpContext http, AccessAdministration administration) => SetMemberAsync(http, name, true, administration))
            .RequireAuthorization(WebAuthentication.Write);
        ui.MapPost("/groups/{name}/members/remove", (string name, HttpContext http, AccessAdministration administration) => SetMemberAsync(http, name, false, administration))
            .RequireAuthorization(WebAuthentication.Write);
        ui.MapPost("/groups/{name}/delete", async (string name, HttpContext http, AccessAdministration administration, IAccessStore access) =>
                await administration.RemoveGroupAsync(WebAuthentication.Actor(http), name, http.RequestAborted).ConfigureAwait(false) is { } refused
                    ? await ListAsync(http, access, null, refused.Message).ConfigureAwait(false)
                    : await ListAsync(http, access, $"Group '{name}' deleted.", null).ConfigureAwait(false))
            .RequireAuthorization(WebAuthentication.Write);
        OwnerForms.Map(ui, "groups", OwnerKind.Group, ShowAsync);
    }

    private static async Task<IResult> SetMemberAsync(HttpContext http, string group, bool member, AccessAdministration administration)
    {
        var user = (await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false))["user"].ToString();
        return await administration.SetMembershipAsync(WebAuthentication.Actor(http), user, group, member, http.RequestAborted).ConfigureAwait(false) is { } refused
            ? await ShowAsync(http, group, null, refused.Message).ConfigureAwait(false)
            : await ShowAsync(http, group, member ? $"'{user}' is now a member. Takes effect at the next login." : $"'{user}' is no longer a member. Takes effect at the next login.", null).ConfigureAwait(false);
    }

    private static async Task<IResult> ListAsync(HttpContext http, IAccessStore access, string? notice, string? error)
    {
        var rows = new List<Html>();
        foreach (var group in await access.ListGroupsAsync(http.RequestAborted).ConfigureAwait(false))
        {
            var members = await access.MembersOfAsync(group.Name, http.RequestAborted).ConfigureAwait(false);
            rows.Add(Html.Of($"""<tr><td><a href="{WebAdmin.Root}/groups/{Uri.EscapeDataString(group.Name)}">{group.Name}</a></td><td>{group.Description}</td><td>{string.Join(", ", members)}</td><td>{WebPage.Time(group.CreatedAt)}</td></tr>"""));
        }

        var create = WebAuthentication.CanChange(http)
            ? Html.Of($"""
                <h2>New group</h2>
                {WebPage.Form(http, "/groups", Html.Of($"""
                    <label for="name">Name</label><input id="name" name="name" required maxlength="64" autocomplete="off">
                    <label for="description">Description</label><input id="description" name="description" maxlength="200" autocomplete="off">
                    """), "Create group")}
                """)
            : Html.Empty;
        return WebPage.Render(http, "Groups", Html.Of($"""
            {WebPage.Notice(notice)}{WebPage.Notice(error, error: true)}
            <div class="scroll"><table id="groups">
            <thead><tr><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Members</th><th scope="col">Created</th></tr></thead>
            <tbody>{Html.Join(rows)}</tbody>
            </table></div>
            {create}
            """), error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ShowAsync(HttpContext http, string name, string? notice, string? error)
    {
        var access = http.RequestServices.GetRequiredService<IAccessStore>();
        if (await access.FindGroupAsync(name, http.RequestAborted).ConfigureAwait(false) is not { } group)
        {
            return WebPage.Render(http, "No such group", Html.Of($"<p>No group '{name}'.</p>"), StatusCodes.Status404NotFound);
        }

        var canChange = WebAuthentication.CanChange(http);
        var members = await access.MembersOfAsync(name, http.RequestAborted).ConfigureAwait(false);
        var settings = await access.SettingsOfAsync(Owner.Group(name), http.RequestAborted).ConfigureAwait(false);
        var memberRows = Html.Join(members.Select(member => Html.Of($"""
            <tr><td><a href="{WebAdmin.Root}/users/{Uri.EscapeDataString(member)}">{member}</a></td>
            <td>{(canChange ? WebPage.Form(http, $"/groups/{Uri.EscapeDataString(name)}/members/remove", Html.Of($"""<input type="hidden" name="user" value="{member}">"""), "Take out", "inline") : Html.Empty)}</td></tr>
            """)));
        var changes = canChange
            ? Html.Of($"""
                {WebPage.Form(http, $"/groups/{Uri.EscapeDataString(name)}/members", Html.Of($"""
                    <label for="user">Add a member (user name)</label><input id="user" name="user" required maxlength="64" autocomplete="off">
                    """), "Add")}
                """)
            : Html.Empty;
        var delete = canChange
            ? Html.Of($"""
                <h2>Delete the group</h2>
                <p>Its memberships, settings, mounts and permission rules go with it; the users and their files stay.</p>
                {WebPage.Form(http, $"/groups/{Uri.EscapeDataString(name)}/delete", Html.Empty, $"Delete group {name}")}
                """)
            : Html.Empty;

        var own = await OwnerForms.RenderAsync(http, "groups", Owner.Group(name), access).ConfigureAwait(false);
        return WebPage.Render(http, $"Group {name}", Html.Of($"""
            {WebPage.Notice(notice)}{WebPage.Notice(error, error: true)}
            <dl class="facts">
            <dt>Description</dt><dd>{(group.Description.Length == 0 ? "(none)" : group.Description)}</dd>
            <dt>Created</dt><dd>{WebPage.Time(group.CreatedAt)}</dd>
            <dt>Own settings</dt><dd>{(settings.Count == 0 ? "(none)" : string.Join("; ", settings.Select(setting => $"{setting.Key}={setting.Value}")))}</dd>
            </dl>
            <p>Members inherit these settings, mounts and permissions; a member's page shows what applies to them in the end.</p>
            <h2>Members</h2>
            {(members.Count == 0 ? Html.Of($"<p>None.</p>") : Html.Of($"""<div class="scroll"><table id="members"><thead><tr><th scope="col">User</th><th scope="col"><span class="hidden">Action</span></th></tr></thead><tbody>{memberRows}</tbody></table></div>"""))}
            {changes}
            {own}
            {delete}
            """), error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }
}
