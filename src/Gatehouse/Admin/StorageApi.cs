using Gatehouse.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Admin;

/// <summary>/api/v1/quotas and /api/v1/retention: usage and quota scans, retention runs, as <c>gatehouse quota scan</c> and <c>gatehouse retention run</c>.</summary>
internal static class StorageApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var quotas = api.MapGroup("/quotas").WithTags("Quotas");
        quotas.MapGet("/", async (StorageMaintenance maintenance, CancellationToken cancellationToken) =>
                TypedResults.Ok((await maintenance.UsageAsync(cancellationToken).ConfigureAwait(false)).Select(View).ToArray()))
            .WithSummary("Every home and shared folder with its usage as last counted (null: never measured) and its quota (null: unlimited).");
        quotas.MapPost("/scan", async (StorageMaintenance maintenance, HttpContext http) =>
                TypedResults.Ok((await maintenance.ScanAsync(AdminActor.Of(http), http.RequestAborted).ConfigureAwait(false)).Select(View).ToArray()))
            .Change("Count every home and folder on the disk again (after files were changed outside FTP); returns the new figures.");

        var retention = api.MapGroup("/retention").WithTags("Retention");
        retention.MapPost("/run", async (bool? dryRun, StorageMaintenance maintenance, HttpContext http) =>
                TypedResults.Ok((await maintenance.RunRetentionAsync(AdminActor.Of(http), dryRun ?? false, http.RequestAborted).ConfigureAwait(false))
                    .Select(deletion => new DeletionView(deletion.Area, deletion.Path, deletion.Modified, deletion.Bytes, deletion.RetentionDays)).ToArray()))
            .Change("Delete the files older than the retention-days of their home or folder now; ?dryRun=true lists them without deleting.");
    }

    private static QuotaView View(AreaUsage area) =>
        new(area.Area, area.Path, area.Used?.Bytes, area.Used?.Files, area.Quota.Bytes, area.Quota.Files);
}
