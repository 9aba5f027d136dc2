using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin;

/// <summary>/api/v1/groups: groups and their members, as <c>gatehouse group</c> and <c>gatehouse user set --add-group</c> change them.</summary>
internal static class GroupsApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var groups = api.MapGroup("/groups").WithTags("Groups");
        groups.MapGet("/", async (IAccessStore access, CancellationToken cancellationToken) =>
            {
                var views = new List<GroupView>();
                foreach (var group in await access.ListGroupsAsync(cancellationToken).ConfigureAwait(false))
                {
                    views.Add(await ViewAsync(group, access, cancellationToken).ConfigureAwait(false));
                }

                return TypedResults.Ok(views.ToArray());
            })
            .WithSummary("Every group with its members.");
        groups.MapGet("/{name}", async (string name, IAccessStore access, CancellationToken cancellationToken) =>
                await access.FindGroupAsync(name, cancellationToken).ConfigureAwait(false) is { } group
                    ? AdminResults.Ok(await ViewAsync(group, access, cancellationToken).ConfigureAwait(false))
                    : AdminResults.NotFound("group", name))
            .Produces<GroupView>()
            .WithSummary("One group with its members and own settings.");
        groups.MapPost("/", async (NewGroup group, AccessAdministration administration, IAccessStore access, HttpContext http) =>
            {
                if (await administration.AddGroupAsync(AdminActor.Of(http), group.Name ?? string.Empty, group.Description, group.Settings ?? new Dictionary<string, string>(), http.RequestAborted).ConfigureAwait(false) is { } refused)
                {
                    return AdminResults.Refused(refused);
                }

                var created = await access.FindGroupAsync(group.Name!, http.RequestAborted).ConfigureAwait(false);
                return AdminResults.Created($"/api/v1/groups/{group.Name}", await ViewAsync(created!, access, http.RequestAborted).ConfigureAwait(false));
            })
            .Produces<GroupView>(StatusCodes.Status201Created)
            .Change("Create a group, optionally with settings its members inherit.");
        groups.MapDelete("/{name}", async (string name, AccessAdministration administration, HttpContext http) =>
                AdminResults.Done(await administration.RemoveGroupAsync(AdminActor.Of(http), name, http.RequestAborted).ConfigureAwait(false)))
            .Change("Delete a group with its memberships, settings, mounts and permissions (users and files stay).");
        groups.MapPut("/{name}/members/{user}", (string name, string user, AccessAdministration administration, HttpContext http) => SetMemberAsync(name, user, true, administration, http))
            .Change("Make a user a member of the group.");
        groups.MapDelete("/{name}/members/{user}", (string name, string user, AccessAdministration administration, HttpContext http) => SetMemberAsync(name, user, false, administration, http))
            .Change("Take a user out of the group.");
        OwnerAccessApi.Map(groups, OwnerKind.Group);
    }

    private static async Task<IResult> SetMemberAsync(string group, string user, bool member, AccessAdministration administration, HttpContext http) =>
        AdminResults.Done(await administration.SetMembershipAsync(AdminActor.Of(http), user, group, member, http.RequestAborted).ConfigureAwait(false));

    private static async Task<GroupView> ViewAsync(GroupRecord group, IAccessStore access, CancellationToken cancellationToken) => new(
        group.Name,
        group.Description,
        group.CreatedAt,
        await access.MembersOfAsync(group.Name, cancellationToken).ConfigureAwait(false));
}
