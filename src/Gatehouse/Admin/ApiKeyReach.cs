using Gatehouse.Accounts.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Admin;

/// <summary>
/// The users an API key made with <c>--user</c>/<c>--group</c> reaches: those users and the current members of those
/// groups. Such a key is refused (403) everywhere except on routes marked <see cref="Mark"/> (users, sessions), where
/// it lists only the users it reaches and gets 404 for any other, as if they did not exist. A route is closed to it
/// unless marked, so a new endpoint cannot leak other users by mistake.
/// </summary>
internal sealed record ApiKeyReach(IReadOnlySet<string> Users, IReadOnlySet<string> Groups)
{
    public const string UserClaim = "reach-user";
    public const string GroupClaim = "reach-group";

    /// <summary>Null for a key that reaches every user.</summary>
    public static ApiKeyReach? Of(HttpContext http)
    {
        var users = http.User.FindAll(UserClaim).Select(claim => claim.Value).ToHashSet(StringComparer.Ordinal);
        var groups = http.User.FindAll(GroupClaim).Select(claim => claim.Value).ToHashSet(StringComparer.Ordinal);
        return users.Count + groups.Count == 0 ? null : new ApiKeyReach(users, groups);
    }

    public async Task<bool> ReachesAsync(string? user, IAccessStore access, CancellationToken cancellationToken) =>
        user is not null && (Users.Contains(user) || (await access.GroupsOfAsync(user, cancellationToken).ConfigureAwait(false)).Any(Groups.Contains));

    /// <summary>Whether a new user with these groups would be reached, without going beyond the key's own groups.</summary>
    public bool MayCreate(string? user, IReadOnlyList<string> groups) =>
        groups.All(Groups.Contains) && (user is not null && Users.Contains(user) || groups.Count > 0);

    /// <summary>Marks the routes a limited key may use; each checks the user it names itself (or lists only those reached).</summary>
    public static TBuilder Mark<TBuilder>(TBuilder builder) where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(Marker.Instance);

    /// <summary>
    /// Closes a route of a marked group to limited keys: a change that would give its users something outside their own
    /// files (a shared folder mounted into their tree, a home moved onto another directory).
    /// </summary>
    public static TBuilder BeyondUsers<TBuilder>(TBuilder builder, string what) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Beyond(what));

    /// <summary>403 for a limited key, with what it cannot do; the refusal every route answers it with.</summary>
    public static IResult Refuse(HttpContext http, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Beyond the key's users", detail: $"API key '{http.User.Identity?.Name}' reaches only some users: {detail}");

    /// <summary>/users/{name}/…: a user the key does not reach is answered 404, whatever the route.</summary>
    public static void GuardUserRoutes(RouteGroupBuilder users) => users.AddEndpointFilter(async (context, next) =>
    {
        var http = context.HttpContext;
        if (Of(http) is { } reach && http.Request.RouteValues.TryGetValue("name", out var value) && value is string name
            && !await reach.ReachesAsync(name, http.RequestServices.GetRequiredService<IAccessStore>(), http.RequestAborted).ConfigureAwait(false))
        {
            return AdminResults.NotFound("user", name);
        }

        return await next(context).ConfigureAwait(false);
    });

    /// <summary>Middleware after authorization: a limited key on an unmarked route gets 403.</summary>
    public static async Task RefuseUnmarkedAsync(HttpContext http, Func<Task> next)
    {
        var endpoint = http.GetEndpoint();
        if (Of(http) is not null && endpoint is not null && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null)
        {
            if (endpoint.Metadata.GetMetadata<Marker>() is null)
            {
                await Refuse(http, $"it can use /api/v1/users, /api/v1/sessions and /api/v1/transfers, not {http.Request.Path}.").ExecuteAsync(http).ConfigureAwait(false);
                return;
            }

            if (endpoint.Metadata.GetMetadata<Beyond>() is { } beyond)
            {
                await Refuse(http, $"it cannot {beyond.What}, which reaches beyond its users' own files; use a key that is not limited.").ExecuteAsync(http).ConfigureAwait(false);
                return;
            }
        }

        await next().ConfigureAwait(false);
    }

    private sealed class Marker
    {
        public static readonly Marker Instance = new();
    }

    private sealed record Beyond(string What);
}
