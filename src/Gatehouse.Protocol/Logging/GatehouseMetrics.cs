using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Security.Authentication;
using Gatehouse.Protocol.Configuration;
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
/// The server's recorded instruments (System.Diagnostics.Metrics, OpenTelemetry naming under <c>gatehouse.</c>, units
/// in metadata); the observed ones are <see cref="GatehouseGauges"/>. The admin listener exports them (GET /metrics),
/// and OTLP when Metrics:OtlpEndpoint is set; the list is docs/metrics.md.
/// </summary>
public sealed class GatehouseMetrics
{
    /// <summary>The meter's name, which exporters subscribe to.</summary>
    public const string MeterName = "Gatehouse";

    private readonly Counter<long> _logins;
    private readonly Counter<long> _transferBytes;
    private readonly Histogram<double> _transferDuration;
    private readonly Histogram<double> _sessionDuration;
    private readonly Histogram<double> _tlsHandshakeDuration;
    private readonly Counter<long> _tlsHandshakeFailures;
    private readonly Counter<long> _eventDeliveries;
    private readonly Counter<long> _eventsNotQueued;

    public GatehouseMetrics(Meter meter, MetricsOptions options)
    {
        Meter = meter;
        Users = new UserSeries(options.PerUser, options.PerUserLimit);
        _logins = meter.CreateCounter<long>("gatehouse.logins", "{login}", "Logins (PASS) by result: success, failure, refused (ban, account throttle, session limit), unavailable (directory or account store).");
        _transferBytes = meter.CreateCounter<long>("gatehouse.transfer.bytes", "By", "Bytes of file transfers by direction (upload, download), counted as each block moves, whatever the outcome.");
        _transferDuration = meter.CreateHistogram<double>("gatehouse.transfer.duration", "s", "Duration of file transfers by direction and outcome (complete, failed, interrupted).");
        _sessionDuration = meter.CreateHistogram<double>("gatehouse.session.duration", "s", "Duration of control connections, from accept to close, by whether they logged in.");
        _tlsHandshakeDuration = meter.CreateHistogram<double>("gatehouse.tls.handshake.duration", "s", "Duration of successful TLS handshakes by channel (control, data).");
        _tlsHandshakeFailures = meter.CreateCounter<long>("gatehouse.tls.handshake.failures", "{handshake}", "Failed TLS handshakes by channel and reason (protocol, certificate, timeout, closed).");
        _eventDeliveries = meter.CreateCounter<long>("gatehouse.events.deliveries", "{delivery}", "Attempts to deliver queued events by rule and outcome (delivered, retry, failed, claim_lost).");
        _eventsNotQueued = meter.CreateCounter<long>("gatehouse.events.not_queued", "{event}", "Events a rule wanted that could not be queued for a reason other than a store outage (they are lost; see the log).");
    }

    /// <summary>Records nothing anyone reads: for sessions run without a host (tests).</summary>
    public static GatehouseMetrics Unobserved { get; } = new(new Meter("Gatehouse.Unobserved"), new MetricsOptions());

    public Meter Meter { get; }

    /// <summary>Metrics:PerUser and its cap: the user attribute of per-user series.</summary>
    public UserSeries Users { get; }

    public void Login(LoginResult result) => _logins.Add(1, new KeyValuePair<string, object?>("result", Tag(result)));

    /// <summary>The counter a running transfer adds its blocks to, so a long transfer shows while it runs.</summary>
    public TransferBytes TransferBytes(TransferDirection direction, string? user) => new(_transferBytes, Direction(direction), Users.Attribute(user));

    public void TransferFinished(TransferFinished transfer)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", transfer.Outcome switch
        {
            TransferOutcome.Complete => "complete",
            TransferOutcome.Failed => "failed",
            _ => "interrupted",
        });
        if (Users.Attribute(transfer.User) is { } user)
        {
            _transferDuration.Record(transfer.Duration.TotalSeconds, Direction(transfer.Direction), outcome, user);
        }
        else
        {
            _transferDuration.Record(transfer.Duration.TotalSeconds, Direction(transfer.Direction), outcome);
        }
    }

    public void SessionEnded(TimeSpan duration, bool loggedIn) =>
        _sessionDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("logged_in", loggedIn));

    /// <summary>
    /// Runs a server-side TLS handshake and records its duration, or its failure and why. A handshake cut short by
    /// <paramref name="stopping"/> (the session or server ending) is not the client's failure and is not counted.
    /// </summary>
    /// <param name="channel">"control" or "data".</param>
    public async Task TlsHandshakeAsync(string channel, Func<Task> handshake, CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();
        var tag = new KeyValuePair<string, object?>("channel", channel);
        try
        {
            await handshake().ConfigureAwait(false);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested && HandshakeFailure(ex) is { } reason)
        {
            _tlsHandshakeFailures.Add(1, tag, new KeyValuePair<string, object?>("reason", reason));
            throw;
        }

        _tlsHandshakeDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
    }

    public void EventDelivery(string rule, string outcome) =>
        _eventDeliveries.Add(1, new KeyValuePair<string, object?>("rule", rule), new KeyValuePair<string, object?>("outcome", outcome));

    public void EventNotQueued() => _eventsNotQueued.Add(1);

    private static string? HandshakeFailure(Exception error) => error switch
    {
        OperationCanceledException => "timeout",
        // A peer that refuses a certificate says so in its alert: OpenSSL names it "bad certificate", "certificate
        // expired", "unknown ca" (the client does not trust the server's chain, the usual case).
        AuthenticationException when Mentions(error, "certificate") || Mentions(error, "unknown ca") => "certificate",
        AuthenticationException => "protocol",
        IOException or SocketException or ObjectDisposedException => "closed",
        _ => null,
    };

    private static bool Mentions(Exception? error, string word)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error.Message.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static KeyValuePair<string, object?> Direction(TransferDirection direction) =>
        new("direction", direction == TransferDirection.Incoming ? "upload" : "download");

    private static string Tag(LoginResult result) => result switch
    {
        LoginResult.Success => "success",
        LoginResult.Failure => "failure",
        LoginResult.Refused => "refused",
        _ => "unavailable",
    };
}

/// <summary>gatehouse.transfer.bytes for one running transfer, its attributes made once: each block costs one Add.</summary>
public sealed class TransferBytes(Counter<long> counter, KeyValuePair<string, object?> direction, KeyValuePair<string, object?>? user)
{
    public void Add(long count)
    {
        if (user is { } named)
        {
            counter.Add(count, direction, named);
        }
        else
        {
            counter.Add(count, direction);
        }
    }
}
