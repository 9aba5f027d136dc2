using Gatehouse.Storage.Quotas;

namespace Gatehouse.Accounts.Store;

public sealed class SqlUsageStore(AccountDatabase database) : IUsageStore
{
    public async Task<StorageUsage?> LoadAsync(string area, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync("SELECT bytes, files FROM usage WHERE area = @area", r => new StorageUsage(r.GetInt64(0), r.GetInt64(1)), cancellationToken, ("@area", area))
            .ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task AddAsync(string area, StorageUsage change, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "UPDATE usage SET bytes = bytes + @bytes, files = files + @files WHERE area = @area",
            cancellationToken,
            ("@area", area),
            ("@bytes", change.Bytes),
            ("@files", change.Files));

    public Task SetAsync(string area, StorageUsage usage, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            "INSERT INTO usage (area, bytes, files) VALUES (@area, @bytes, @files) ON CONFLICT (area) DO UPDATE SET bytes = excluded.bytes, files = excluded.files",
            cancellationToken,
            ("@area", area),
            ("@bytes", usage.Bytes),
            ("@files", usage.Files));
}
