using System.Diagnostics.Metrics;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Logging;

/// <summary>
/// The observed instruments: levels read when an exporter collects, from memory, or for the account store's figures
/// from a <see cref="CachedReading{T}"/> so that a scrape never waits for the store nor reads it more than once per
/// Metrics:StoreReadSeconds.
/// </summary>
public static class GatehouseGauges
{
    public static void Register(GatehouseMetrics metrics, FtpServerContext server, StoreReachability store, CachedReading<StoreReadings> readings)
    {
        var meter = metrics.Meter;
        meter.CreateObservableUpDownCounter("gatehouse.sessions.active", () => server.Sessions.Count, "{session}", "Control connections open now, logged in or not.");
        meter.CreateObservableGauge("gatehouse.store.reachable", () => store.IsReachable ? 1 : 0, "{state}", "1 while the account store answers, 0 while this node cannot reach it (it keeps serving; see docs/cluster.md).");
        meter.CreateObservableUpDownCounter("gatehouse.passive_ports.used", () => server.PassivePorts.Reserved, "{port}", "Passive ports reserved now by sessions of this node (PASV/EPSV until the transfer ends).");
        meter.CreateObservableUpDownCounter("gatehouse.passive_ports.limit", () => server.PassivePorts.Range is { First: > 0 } range ? range.Count : 0, "{port}", "Ports in Ftp:PassivePorts (0 when it is not set and any port may be used).");
        meter.CreateObservableUpDownCounter("gatehouse.bans.active", () => server.Bans.ActiveCount, "{address}", "Client addresses banned now.");
        meter.CreateObservableUpDownCounter("gatehouse.events.held", () => server.Events?.Held ?? 0, "{event}", "Events this node queued and the account store does not hold yet: in memory while it is unreachable, or in the SQLite node's event journal until moved (about a second).");
        meter.CreateObservableUpDownCounter("gatehouse.events.pending", () => readings.Current.EventsPending, "{delivery}", "Event deliveries queued and not yet delivered (cluster-wide; at most Metrics:StoreReadSeconds old).");
        meter.CreateObservableUpDownCounter("gatehouse.events.failed", () => readings.Current.EventsFailed, "{delivery}", "Event deliveries given up after their retries and kept for inspection (cluster-wide; at most Metrics:StoreReadSeconds old).");
        meter.CreateObservableUpDownCounter("gatehouse.quota.usage", () => QuotaUsage(readings.Current, metrics.Users), "By",
            "Bytes stored in homes and shared folders as the quota ledgers count them (cluster-wide; at most Metrics:StoreReadSeconds old); by user when Metrics:PerUser is on.");
        readings.Refresh();
    }

    private static IEnumerable<Measurement<long>> QuotaUsage(StoreReadings readings, UserSeries users)
    {
        var home = new KeyValuePair<string, object?>("area", "home");
        if (users.Enabled)
        {
            foreach (var group in readings.HomeBytes.GroupBy(entry => users.Name(entry.User!), StringComparer.Ordinal))
            {
                yield return new Measurement<long>(group.Sum(entry => entry.Bytes), home, new KeyValuePair<string, object?>("user", group.Key));
            }
        }
        else
        {
            yield return new Measurement<long>(readings.HomeBytes.Sum(entry => entry.Bytes), home);
        }

        yield return new Measurement<long>(readings.FolderBytes, new KeyValuePair<string, object?>("area", "folder"));
    }
}
