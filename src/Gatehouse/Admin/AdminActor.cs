using System.Net;
using Gatehouse.Accounts.Audit;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Admin;

/// <summary>Who the audit trail says made a change through the API: the key's name, from the client's address.</summary>
internal static class AdminActor
{
    public static AuditActor Of(HttpContext http) =>
        new($"apikey:{http.User.Identity?.Name ?? "?"}", (http.Connection.RemoteIpAddress ?? IPAddress.None).ToString());
}
