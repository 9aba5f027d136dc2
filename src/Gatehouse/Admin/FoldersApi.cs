using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin;

/// <summary>/api/v1/folders: shared real directories and where they are mounted, as <c>gatehouse folder</c> changes them.</summary>
internal static class FoldersApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var folders = api.MapGroup("/folders").WithTags("Folders");
        folders.MapGet("/", async (IAccessStore access, CancellationToken cancellationToken) =>
            {
                var views = new List<FolderView>();
                foreach (var folder in await access.ListFoldersAsync(cancellationToken).ConfigureAwait(false))
                {
                    views.Add(await ViewAsync(folder, access, cancellationToken).ConfigureAwait(false));
                }

                return TypedResults.Ok(views.ToArray());
            })
            .WithSummary("Every shared folder with its real path, settings and mounts.");
        folders.MapGet("/{name}", async (string name, IAccessStore access, CancellationToken cancellationToken) =>
                await access.FindFolderAsync(name, cancellationToken).ConfigureAwait(false) is { } folder
                    ? AdminResults.Ok(await ViewAsync(folder, access, cancellationToken).ConfigureAwait(false))
                    : AdminResults.NotFound("folder", name))
            .Produces<FolderView>()
            .WithSummary("One shared folder.");
        folders.MapPost("/", async (NewFolder folder, AccessAdministration administration, IAccessStore access, HttpContext http) =>
            {
                if (await administration.AddFolderAsync(AdminActor.Of(http), folder.Name ?? string.Empty, folder.Path, folder.Settings ?? new Dictionary<string, string>(), http.RequestAborted).ConfigureAwait(false) is { } refused)
                {
                    return AdminResults.Refused(refused);
                }

                var created = await access.FindFolderAsync(folder.Name!, http.RequestAborted).ConfigureAwait(false);
                return AdminResults.Created($"/api/v1/folders/{folder.Name}", await ViewAsync(created!, access, http.RequestAborted).ConfigureAwait(false));
            })
            .Produces<FolderView>(StatusCodes.Status201Created)
            .Change("Register a real directory (an absolute path that does not contain the data directory; created if missing) as a shared folder.");
        folders.MapDelete("/{name}", async (string name, AccessAdministration administration, HttpContext http) =>
                AdminResults.Done(await administration.RemoveFolderAsync(AdminActor.Of(http), name, http.RequestAborted).ConfigureAwait(false)))
            .Change("Delete a folder and all its mounts (the real directory and its files are kept).");
        OwnerAccessApi.Map(folders, OwnerKind.Folder);
    }

    private static async Task<FolderView> ViewAsync(FolderRecord folder, IAccessStore access, CancellationToken cancellationToken) => new(
        folder.Name,
        folder.Path,
        folder.CreatedAt,
        new Dictionary<string, string>(await access.SettingsOfAsync(Owner.Folder(folder.Name), cancellationToken).ConfigureAwait(false)),
        [.. (await access.MountsOfFolderAsync(folder.Name, cancellationToken).ConfigureAwait(false)).Select(mount => new FolderMountView(mount.Owner.KindText, mount.Owner.Name, mount.VirtualPath, mount.ReadOnly))]);
}
