using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin;

/// <summary>/api/v1/users: the FTP accounts, read as <c>gatehouse user list</c> shows them and changed through the same service as the CLI's.</summary>
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
                    : NoUser(name))
            .WithSummary("One FTP account.");
        users.MapPost("/", async Task<Results<Created<UserView>, ProblemHttpResult>> (NewUser user, UserAdministration administration, IAccountStore accounts, IAccessStore access, HttpContext http) =>
            {
                if (await administration.AddAsync(AdminActor.Of(http), user.Name, user.Password, user.Home, user.Groups ?? [], http.RequestAborted).ConfigureAwait(false) is { } refused)
                {
                    return Refused(refused);
                }

                var created = await accounts.FindAsync(user.Name, http.RequestAborted).ConfigureAwait(false);
                return TypedResults.Created($"/api/v1/users/{user.Name}", await ViewAsync(created!, access, http.RequestAborted).ConfigureAwait(false));
            })
            .RequireAuthorization(AdminAuthorization.Write)
            .WithSummary("Create an account; the password must pass the password policy. Needs a write key.");
        users.MapDelete("/{name}", async Task<Results<NoContent, ProblemHttpResult>> (string name, UserAdministration administration, HttpContext http) =>
                await administration.RemoveAsync(AdminActor.Of(http), name, http.RequestAborted).ConfigureAwait(false) is null ? NoUser(name) : TypedResults.NoContent())
            .RequireAuthorization(AdminAuthorization.Write)
            .WithSummary("Delete an account with its memberships, settings, mounts and permissions; its home and files are kept. Needs a write key.");
        users.MapPost("/{name}/disable", (string name, UserAdministration administration, HttpContext http) => SetEnabledAsync(name, false, administration, http))
            .RequireAuthorization(AdminAuthorization.Write)
            .WithSummary("Stop an account from logging in (files and settings are kept). Needs a write key.");
        users.MapPost("/{name}/enable", (string name, UserAdministration administration, HttpContext http) => SetEnabledAsync(name, true, administration, http))
            .RequireAuthorization(AdminAuthorization.Write)
            .WithSummary("Allow an account to log in again. Needs a write key.");
        users.MapPut("/{name}/password", async Task<Results<NoContent, ProblemHttpResult>> (string name, NewPassword password, UserAdministration administration, HttpContext http) =>
                await administration.SetPasswordAsync(AdminActor.Of(http), name, password.Password, http.RequestAborted).ConfigureAwait(false) is { } refused
                    ? Refused(refused)
                    : TypedResults.NoContent())
            .RequireAuthorization(AdminAuthorization.Write)
            .WithSummary("Set a new password (local accounts); it must pass the password policy. Needs a write key.");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetEnabledAsync(string name, bool enabled, UserAdministration administration, HttpContext http) =>
        await administration.SetEnabledAsync(AdminActor.Of(http), name, enabled, http.RequestAborted).ConfigureAwait(false) ? TypedResults.NoContent() : NoUser(name);

    private static ProblemHttpResult NoUser(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such user", detail: $"No user '{name}'.");

    /// <summary>The service's refusal, word for word as the CLI prints it.</summary>
    private static ProblemHttpResult Refused(string reason) =>
        TypedResults.Problem(statusCode: reason.StartsWith("No user", StringComparison.Ordinal) ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, title: "Refused", detail: reason);

    private static async Task<UserView> ViewAsync(Account account, IAccessStore access, CancellationToken cancellationToken) => new(
        account.Name,
        account.Enabled,
        account.Source,
        account.HomeDirectory,
        account.CreatedAt,
        account.LastLoginAt,
        await access.GroupsOfAsync(account.Name, cancellationToken).ConfigureAwait(false));
}
