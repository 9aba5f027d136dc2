using System.Text;
using Gatehouse.Storage.Local;

namespace Gatehouse.Storage.Quotas;

/// <summary>
/// One empty file per storage area (its name the area's, hex-encoded) saying "this node may have changed the area on
/// disk without the store knowing yet". A ledger creates it before the first change that its store does not have and
/// deletes it once every change is saved (<see cref="QuotaLedger"/>), so a marker still there at start-up means the
/// previous run stopped before saving (killed, power cut) and the area must be counted again from the disk. The
/// directory belongs to one node: it lives in the node's DataDirectory.
/// </summary>
/// <param name="sync">fsync the directory after creating a marker, so it survives a power cut as the uploads do (Storage:SyncUploads).</param>
public sealed class UsageMarkers(string directory, bool sync)
{
    public void Set(string area)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(PathOf(area), []);
        if (sync)
        {
            NativeFileApi.SyncDirectory(directory);
        }
    }

    /// <summary>Not synced: a marker that comes back after a power cut only costs a needless recount.</summary>
    public void Clear(string area) => File.Delete(PathOf(area));

    public IReadOnlyList<string> List()
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var areas = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            try
            {
                areas.Add(Encoding.UTF8.GetString(Convert.FromHexString(Path.GetFileName(file))));
            }
            catch (FormatException)
            {
                // Not a marker: nothing of Gatehouse's.
            }
        }

        return areas;
    }

    private string PathOf(string area) => Path.Combine(directory, Convert.ToHexStringLower(Encoding.UTF8.GetBytes(area)));
}
