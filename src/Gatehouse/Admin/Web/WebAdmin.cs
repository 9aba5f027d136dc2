using Gatehouse.Accounts;
using Gatehouse.Accounts.Admin;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Cluster;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Admin.Web;

/// <summary>
/// The web admin under /ui (docs/web-admin.md): pages rendered on the server with <see cref="Html"/>, no client
/// framework, one static script for the live parts. Every page needs a browser session (<see cref="WebAuthentication"/>);
/// only the login steps and the two static files are anonymous, and every POST needs its antiforgery token.
/// </summary>
internal static class WebAdmin
{
    public const string Root = "/ui";

    public static void AddServices(IServiceCollection services, IServiceProvider server)
    {
        WebAuthentication.Add(services);
        services.AddSingleton(server.GetRequiredService<PasswordHashing>());
        services.AddSingleton<AdminLogin>();
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
            return Results.Text("The form has expired or did not come from this site: reload the page and try again.", "text/plain", statusCode: StatusCodes.Status400BadRequest);
        }

        return await next(context).ConfigureAwait(false);
    }
}
