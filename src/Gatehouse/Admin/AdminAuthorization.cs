using Gatehouse.Accounts.Admin;
using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.Admin;

/// <summary>
/// What each scope opens. The fallback policy (<see cref="Read"/>) applies to every endpoint that names no policy,
/// so a new endpoint is closed to anonymous and metrics-only clients unless it says otherwise; /health alone is anonymous.
/// </summary>
internal static class AdminAuthorization
{
    public const string Write = "write";
    public const string Metrics = "metrics";

    /// <summary>Any GET of the API: a read or write key.</summary>
    public static AuthorizationPolicy Read { get; } = Scoped(ApiKeyScope.Read, ApiKeyScope.Write);

    public static void Configure(AuthorizationOptions options)
    {
        options.DefaultPolicy = Read;
        options.FallbackPolicy = Read;
        options.AddPolicy(Write, Scoped(ApiKeyScope.Write));
        options.AddPolicy(Metrics, Scoped(ApiKeyScope.Metrics, ApiKeyScope.Read, ApiKeyScope.Write));
    }

    private static AuthorizationPolicy Scoped(params ApiKeyScope[] scopes) =>
        new AuthorizationPolicyBuilder(ApiKeyAuthentication.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(ApiKeyAuthentication.ScopeClaim, scopes.Select(scope => scope.ToString().ToLowerInvariant()))
            .Build();
}
