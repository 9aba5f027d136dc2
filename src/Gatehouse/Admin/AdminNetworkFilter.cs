using System.Net;
using Gatehouse.Accounts.Networks;
using Gatehouse.Protocol.DataChannel;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Admin;

/// <summary>Admin:AllowedNetworks: a request from elsewhere gets 403 before anything else runs, and the refusal is logged.</summary>
internal sealed partial class AdminNetworkFilter(NetworkList allowed, ILogger<AdminNetworkFilter> logger)
{
    public async Task InvokeAsync(HttpContext http, Func<Task> next)
    {
        var address = Addresses.Normalize(http.Connection.RemoteIpAddress ?? IPAddress.None);
        if (!allowed.IsEmpty && !allowed.Contains(address))
        {
            LogRefused(logger, address, http.Request.Method, http.Request.Path);
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Address not allowed", detail: "This address may not use the admin API.")
                .ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        await next().ConfigureAwait(false);
    }

    [LoggerMessage(243, LogLevel.Warning, "Admin API refused {Method} {Path} from {Address}: not in Admin:AllowedNetworks")]
    private static partial void LogRefused(ILogger logger, IPAddress address, string method, string path);
}
