using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin.Web;

/// <summary>The stylesheet and the script, embedded in the executable: a fixed list, so no request path ever reaches the file system.</summary>
internal static class StaticAssets
{
    private static readonly Dictionary<string, (byte[] Content, string Type)> Files = new(StringComparer.Ordinal)
    {
        ["admin.css"] = (Load("admin.css"), "text/css; charset=utf-8"),
        ["admin.js"] = (Load("admin.js"), "text/javascript; charset=utf-8"),
    };

    public static void Map(IEndpointRouteBuilder ui) =>
        ui.MapGet("/static/{name}", (string name) => Files.TryGetValue(name, out var file) ? Results.Bytes(file.Content, file.Type) : Results.NotFound())
            .AllowAnonymous();

    private static byte[] Load(string name)
    {
        using var stream = typeof(StaticAssets).Assembly.GetManifestResourceStream($"Gatehouse.Admin.Web.Static.{name}")
            ?? throw new InvalidOperationException($"The web admin's {name} is not embedded in the executable.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
