using System.Data.Common;
using System.Net;
using Gatehouse.Accounts.Bans;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Replies;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Access;

/// <summary>Scores abuse and logs the ban it may earn; a store failure is logged, and the ban still holds in memory until the store takes it.</summary>
public static class AbuseReports
{
    public static FtpReply BannedReply { get; } =
        new(421, "Too many failed logins or protocol errors from your address; it is blocked for a while. Try again later.", AfterReply.Close);

    /// <summary>How a connection that ends without a login counts against its address: more if it never sent anything.</summary>
    public static AbuseKind HeldWithoutLogin(bool silent) => silent ? AbuseKind.SilentConnection : AbuseKind.HeldWithoutLogin;

    public static async Task ReportAsync(BanList bans, ILogger logger, IPAddress address, AbuseKind kind, string detail, CancellationToken cancellationToken)
    {
        try
        {
            var ban = await bans.ReportAsync(address, kind, detail, cancellationToken).ConfigureAwait(false);
            if (ban is not null)
            {
                Log.Banned(logger, ban.Address, ban.BannedUntil, ban.Offences, ban.Reason);
            }
        }
        catch (DbException ex) when (StoreReachability.IsOutage(ex))
        {
            Log.StoreWriteDeferred(logger, "save a ban (it holds on this node meanwhile)", ex.Message);
        }
        catch (DbException ex)
        {
            Log.BanStoreFailed(logger, ex.Message);
        }
    }
}
