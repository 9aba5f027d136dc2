namespace Gatehouse.Protocol.Configuration;

/// <summary>Event rules (managed with `gatehouse rule`): where their webhooks and commands may go, and how deliveries are retried.</summary>
public sealed class EventsOptions
{
    /// <summary>
    /// The only destinations of webhooks: "host" (any port) or "host:port". Empty: no webhook can be delivered. A rule
    /// cannot name a URL elsewhere, so the server cannot be made to call internal addresses (SSRF).
    /// </summary>
    public List<string> WebhookAllowedHosts { get; set; } = [];

    /// <summary>The only executables command actions and pre-upload checks may run, as absolute paths.</summary>
    public List<string> Commands { get; set; } = [];

    /// <summary>Attempts of one delivery before it is kept as failed.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failed attempt; it doubles after each further failure, up to an hour.</summary>
    public int RetryBaseSeconds { get; set; } = 10;

    /// <summary>Where uploads refused by a pre-upload check are kept, outside every home. Empty: DataDirectory/quarantine.</summary>
    public string? QuarantineDirectory { get; set; }

    /// <summary>
    /// Compute the SHA-256 of each upload while it is written (the blocks already in memory, no second read), for the
    /// sha256 of upload events. Off: events carry no sha256. Costs CPU: one core hashes about 1.3 GB/s with the SHA
    /// instructions of recent x86 processors (measured with openssl speed), several times less without them.
    /// </summary>
    public bool HashUploads { get; set; }

    /// <summary>How long delivered events are kept for `gatehouse event list` (failed ones are kept until retried).</summary>
    public int KeepDeliveredDays { get; set; } = 7;

    /// <summary>The SMTP relay of mail actions: its host name. Empty: mail actions cannot be delivered.</summary>
    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 587;

    /// <summary>
    /// Require STARTTLS before anything is sent (the relay's certificate is verified). False sends in clear text, for a
    /// relay on the same machine or a trusted network only.
    /// </summary>
    public bool SmtpStartTls { get; set; } = true;

    /// <summary>The sender address of every mail.</summary>
    public string? SmtpFrom { get; set; }

    /// <summary>Log in to the relay as this user; empty: no login.</summary>
    public string? SmtpUser { get; set; }

    /// <summary>A file holding the relay password (kept out of the configuration file).</summary>
    public string? SmtpPasswordFile { get; set; }
}
