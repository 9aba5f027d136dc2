using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin;

/// <summary>/api/v1/users: the FTP accounts, as <c>gatehouse user list</c> shows them.</summary>
internal static class UsersApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users");
        users.MapGet("/", async (IAccountStore accounts, IAccessStore access, CancellationToken cancellationToken) =>
            {
                var views = new List<UserView>();
                foreach (var account in await accounts.ListAsync(cancellationToken).ConfigureAwait(false))
                {
                    views.Add(await ViewAsync(account, access, cancellationToken).ConfigureAwait(false));
                }

                return TypedResults.Ok(views.ToArray());
            })
            .WithSummary("Every FTP account with its status, groups and home.");
        users.MapGet("/{name}", async Task<Results<Ok<UserView>, ProblemHttpResult>> (string name, IAccountStore accounts, IAccessStore access, CancellationToken cancellationToken) =>
                await accounts.FindAsync(name, cancellationToken).ConfigureAwait(false) is { } account
                    ? TypedResults.Ok(await ViewAsync(account, access, cancellationToken).ConfigureAwait(false))
                    : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such user", detail: $"No user '{name}'."))
            .WithSummary("One FTP account.");
    }

    private static async Task<UserView> ViewAsync(Account account, IAccessStore access, CancellationToken cancellationToken) => new(
        account.Name,
        account.Enabled,
        account.Source,
        account.HomeDirectory,
        account.CreatedAt,
        account.LastLoginAt,
        await access.GroupsOfAsync(account.Name, cancellationToken).ConfigureAwait(false));
}
