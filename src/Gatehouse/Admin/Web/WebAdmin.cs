using Gatehouse.Accounts;
using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Cluster;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Admin.Web;

/// <summary>
/// The web admin under /ui (docs/web-admin.md): pages rendered on the server with <see cref="Html"/>, no client
/// framework, one static script for the live parts. Every page needs a browser session (<see cref="WebAuthentication"/>);
/// only the login steps and the two static files are anonymous, and every POST needs its antiforgery token.
/// </summary>
internal static partial class WebAdmin
{
    public const string Root = "/ui";

    public static void AddServices(IServiceCollection services, IServiceProvider server)
    {
        WebAuthentication.Add(services);
        services.AddSingleton(server.GetRequiredService<PasswordHashing>());
        services.AddSingleton(provider => new AdminLogin(
            provider.GetRequiredService<IAdminStore>(), provider.GetRequiredService<AuditTrail>(), provider.GetRequiredService<PasswordHashing>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Admin")));
        services.AddSingleton(provider => new AdminAddressThrottle(provider.GetRequiredService<TimeProvider>()));
        if (server.GetService<IClusterStore>() is { } cluster)
        {
            services.AddSingleton(cluster);
        }
    }

    /// <summary>First in the pipeline, so that refusals and redirects carry the headers too.</summary>
    public static void UseHeaders(IApplicationBuilder app) => app.Use(WebHeaders.InvokeAsync);

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var ui = endpoints.MapGroup(Root).ExcludeFromDescription().AddEndpointFilter(RequireAntiforgeryAsync);
        StaticAssets.Map(ui);
        LoginPages.Map(ui);
        DashboardPage.Map(ui);
        UserPages.Map(ui);
        GroupPages.Map(ui);
        FolderPages.Map(ui);
        ApiKeyPages.Map(ui);
        TransferPages.Map(ui);
        SessionPages.Map(ui);
        RecordPages.Map(ui);
    }

    /// <summary>A POST without the token of a form this listener rendered for the same browser is refused before its handler runs (CSRF).</summary>
    private static async ValueTask<object?> RequireAntiforgeryAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HttpMethods.IsPost(http.Request.Method)
            && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http).ConfigureAwait(false))
        {
            LogRefused(WebLogger(http), http.Request.Method, http.Request.Path, Address(http), "the form's antiforgery token is missing or not valid for this browser");
            return Results.Text("The form has expired or did not come from this site: reload the page and try again.", "text/plain", statusCode: StatusCodes.Status400BadRequest);
        }

        return await next(context).ConfigureAwait(false);
    }

    public static string Address(HttpContext http) => (http.Connection.RemoteIpAddress ?? System.Net.IPAddress.None).ToString();

    public static ILogger WebLogger(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse.Admin");

    [LoggerMessage(252, LogLevel.Warning, "Web admin refused {Method} {Path} from {Address}: {Reason}")]
    public static partial void LogRefused(ILogger logger, string method, string path, string address, string reason);
}
