using System.Net;
using Gatehouse.Accounts.Audit;
using Gatehouse.Accounts.Bans;

namespace Gatehouse.Accounts.Admin;

/// <summary>Listing and lifting bans, as both the CLI and the admin API do it; a lifted ban is audited with what it was.</summary>
public sealed class BanAdministration(IBanStore bans, AuditTrail audit, TimeProvider time)
{
    /// <param name="expired">Also the bans that have run out (they remember the offence count).</param>
    public async Task<IReadOnlyList<BanRecord>> ListAsync(bool expired, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return [.. (await bans.ListAsync(cancellationToken).ConfigureAwait(false)).Where(ban => expired || ban.BannedUntil > now)];
    }

    /// <returns>Null when lifted, else what is wrong.</returns>
    public async Task<AdminRefusal?> LiftAsync(AuditActor actor, string address, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(address, out var ip))
        {
            return AdminRefusal.Invalid("address", $"'{address}' is not an IP address.");
        }

        var key = BanList.Key(ip);
        var ban = (await bans.ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(ban => ban.Address == key);
        if (ban is null || !await bans.RemoveAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return AdminRefusal.NotFound("address", $"{key} is not banned.");
        }

        await audit.RecordAsync(actor, "ban.remove", key, $"until={ban.BannedUntil.UtcDateTime:u} offences={ban.Offences} reason={ban.Reason}", null, cancellationToken).ConfigureAwait(false);
        return null;
    }
}
