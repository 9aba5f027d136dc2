using System.Diagnostics.Metrics;
using Gatehouse.Accounts.Store;
using Gatehouse.Protocol.Server;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.Logging;

/// <summary>How a PASS ended, as the gatehouse.logins counter tags it.</summary>
public enum LoginResult
{
    Success,

    /// <summary>Wrong password, unknown or disabled user, or a rule (network, expiry, certificate) refused the account.</summary>
    Failure,

    /// <summary>Refused with a reply of its own: the address is banned, the account throttle held the name, or a limit (sessions per user) was reached.</summary>
    Refused,

    /// <summary>The LDAP directory or the account store could not be reached.</summary>
    Unavailable,
}

/// <summary>
/// The server's instruments (System.Diagnostics.Metrics, OpenTelemetry naming under <c>gatehouse.</c>, units in
/// metadata). The admin listener exports them (GET /metrics); the list is in docs/admin-api.md.
/// </summary>
public sealed class GatehouseMetrics
{
    /// <summary>The meter's name, which exporters subscribe to.</summary>
    public const string MeterName = "Gatehouse";

    private readonly Counter<long> _logins;
    private readonly Counter<long> _transferBytes;
    private readonly Histogram<double> _transferDuration;

    public GatehouseMetrics(Meter meter, LiveSessions sessions, StoreReachability store)
    {
        meter.CreateObservableUpDownCounter("gatehouse.sessions.active", () => sessions.Count, "{session}", "Control connections open now, logged in or not.");
        meter.CreateObservableGauge("gatehouse.store.reachable", () => store.IsReachable ? 1 : 0, "{state}", "1 while the account store answers, 0 while this node cannot reach it (it keeps serving; see docs/cluster.md).");
        _logins = meter.CreateCounter<long>("gatehouse.logins", "{login}", "Logins by result: success, failure, refused (ban or account throttle), unavailable (directory or account store).");
        _transferBytes = meter.CreateCounter<long>("gatehouse.transfer.bytes", "By", "Bytes of file transfers by direction (upload, download), counted when each transfer ends.");
        _transferDuration = meter.CreateHistogram<double>("gatehouse.transfer.duration", "s", "Duration of file transfers by direction and outcome (complete, failed, interrupted).");
    }

    public void Login(LoginResult result) => _logins.Add(1, new KeyValuePair<string, object?>("result", Tag(result)));

    public void TransferFinished(TransferFinished transfer)
    {
        var direction = new KeyValuePair<string, object?>("direction", transfer.Direction == TransferDirection.Incoming ? "upload" : "download");
        _transferBytes.Add(transfer.Bytes, direction);
        _transferDuration.Record(transfer.Duration.TotalSeconds, direction, new KeyValuePair<string, object?>("outcome", transfer.Outcome.ToString().ToLowerInvariant()));
    }

    private static string Tag(LoginResult result) => result switch
    {
        LoginResult.Success => "success",
        LoginResult.Failure => "failure",
        LoginResult.Refused => "refused",
        _ => "unavailable",
    };
}
