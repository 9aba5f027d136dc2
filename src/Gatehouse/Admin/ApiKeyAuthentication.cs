using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Gatehouse.Accounts.Admin;
using Microsoft.AspNetCore.Authentication;
using Gatehouse.Protocol.DataChannel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gatehouse.Admin;

/// <summary>
/// <c>Authorization: Bearer KEY</c>: the key's SHA-256 is looked up among the stored keys; an unknown or expired key
/// is refused (401, logged with the reason and the client's address), a valid one becomes a user named after the key
/// with its scope as a claim (<see cref="AdminAuthorization"/>). Every refusal is logged once, with its reason, here;
/// the framework's own lines about challenges are not (it gets no logger).
/// </summary>
internal sealed partial class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder, IAdminStore store, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, NullLoggerFactory.Instance, encoder)
{
    private readonly ILogger _log = loggers.CreateLogger("Gatehouse.Admin");

    public const string SchemeName = "Bearer";
    public const string ScopeClaim = "scope";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Refuse("the Authorization header is not 'Bearer KEY'");
        }

        var secret = header["Bearer ".Length..].Trim();
        var key = secret.StartsWith(ApiKey.Prefix, StringComparison.Ordinal)
            ? await store.FindKeyByHashAsync(ApiKey.HashOf(secret), Context.RequestAborted).ConfigureAwait(false)
            : null;
        if (key is null)
        {
            return Refuse("unknown API key");
        }

        if (key.IsExpired(time.GetUtcNow()))
        {
            return Refuse($"API key '{key.Name}' expired at {key.ExpiresAt:u}");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, key.Name),
                new Claim(ScopeClaim, key.Scope.ToString().ToLowerInvariant()),
                .. (key.Users ?? []).Select(user => new Claim(ApiKeyReach.UserClaim, user)),
                .. (key.Groups ?? []).Select(group => new Claim(ApiKeyReach.GroupClaim, group)),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Request.Headers.Authorization.Count == 0)
        {
            LogRefusal("no API key (anonymous)");
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        LogRefusal($"API key '{Context.User.Identity?.Name}' has scope {Context.User.FindFirst(ScopeClaim)?.Value}, which does not allow this");
        return base.HandleForbiddenAsync(properties);
    }

    private AuthenticateResult Refuse(string reason)
    {
        LogRefusal(reason);
        return AuthenticateResult.Fail(reason);
    }

    private void LogRefusal(string reason) =>
        LogRefused(_log, Addresses.Normalize(Context.Connection.RemoteIpAddress ?? IPAddress.None), Request.Method, Request.Path, reason);

    [LoggerMessage(241, LogLevel.Warning, "Admin API refused {Method} {Path} from {Address}: {Reason}")]
    private static partial void LogRefused(ILogger logger, IPAddress address, string method, string path, string reason);
}
