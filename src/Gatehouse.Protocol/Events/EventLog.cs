using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Events;

/// <summary>Log events of rules and their deliveries (ids 200-229).</summary>
internal static partial class EventLog
{
    [LoggerMessage(200, LogLevel.Debug, "Event {Kind} {Path} queued for rule(s) {Rules}")]
    public static partial void Queued(ILogger logger, string kind, string? path, string rules);

    [LoggerMessage(201, LogLevel.Error, "Event {Kind} {Path} could not be queued for rule(s) {Rules}, so they will not see it")]
    public static partial void NotQueued(ILogger logger, string kind, string? path, string rules, Exception exception);

    [LoggerMessage(202, LogLevel.Information, "Rule '{Rule}' delivered event {Delivery} ({Kind} {Path}) on attempt {Attempt}: {Outcome}")]
    public static partial void Delivered(ILogger logger, string rule, long delivery, string kind, string? path, int attempt, string outcome);

    [LoggerMessage(203, LogLevel.Warning, "Rule '{Rule}' could not deliver event {Delivery} ({Kind} {Path}) on attempt {Attempt}; next attempt in {Delay}: {Outcome}")]
    public static partial void WillRetry(ILogger logger, string rule, long delivery, string kind, string? path, int attempt, TimeSpan delay, string outcome);

    [LoggerMessage(204, LogLevel.Error, "Rule '{Rule}' gave up event {Delivery} ({Kind} {Path}) after {Attempt} attempts; it is kept as failed (gatehouse event show {Delivery}, gatehouse event retry {Delivery}): {Outcome}")]
    public static partial void GaveUp(ILogger logger, string rule, long delivery, string kind, string? path, int attempt, string outcome);

    [LoggerMessage(205, LogLevel.Error, "Event delivery could not use the account store; it tries again shortly")]
    public static partial void StoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(206, LogLevel.Information, "Rule '{Rule}' command {Executable} {Stream}: {Line}")]
    public static partial void CommandOutput(ILogger logger, string rule, string executable, string stream, string line);

    [LoggerMessage(207, LogLevel.Information, "Rule '{Rule}' command {Executable} ended: {Result} after {Milliseconds} ms")]
    public static partial void CommandEnded(ILogger logger, string rule, string executable, string result, long milliseconds);

    [LoggerMessage(208, LogLevel.Warning, "Event rule left out until it is fixed with gatehouse rule set: {Problem}")]
    public static partial void RuleSkipped(ILogger logger, string problem);

    [LoggerMessage(209, LogLevel.Warning, "Upload {Path} refused by pre-upload rule '{Rule}': {Reason}; the file is kept in quarantine as {Quarantine}")]
    public static partial void UploadRejected(ILogger logger, string path, string rule, string reason, string quarantine);

    [LoggerMessage(210, LogLevel.Information, "Upload {Path} passed pre-upload rule '{Rule}'")]
    public static partial void UploadAccepted(ILogger logger, string path, string rule);

    [LoggerMessage(211, LogLevel.Warning, "Rule '{Rule}' event {Delivery}: the claim ran out before the result was recorded, so another node may deliver it again; raise the actions' time-outs less or shorten them")]
    public static partial void ClaimLost(ILogger logger, string rule, long delivery);

    [LoggerMessage(212, LogLevel.Information, "Removed {Count} delivered event(s) older than Events:KeepDeliveredDays")]
    public static partial void Pruned(ILogger logger, int count);

    [LoggerMessage(213, LogLevel.Information, "Scheduled rule '{Rule}' fired for {Occurrence:u}: {Count} event(s) queued")]
    public static partial void ScheduleFired(ILogger logger, string rule, DateTimeOffset occurrence, int count);

    [LoggerMessage(214, LogLevel.Warning, "Scheduled rule '{Rule}' could not look at the files of '{User}': {Reason}")]
    public static partial void ScheduleFailed(ILogger logger, string rule, string user, string reason);

    [LoggerMessage(215, LogLevel.Error, "A line of the event journal at byte {Position} was left out because {Reason}")]
    public static partial void JournalLineSkipped(ILogger logger, long position, string reason);

    [LoggerMessage(216, LogLevel.Warning, "Event {Kind} {Path} could not be written to the event journal, so it was queued in the account store directly: {Reason}")]
    public static partial void JournalFailed(ILogger logger, string kind, string? path, string reason);

    [LoggerMessage(217, LogLevel.Information, "Queued {Count} event(s) that the event journal held from before the server started")]
    public static partial void JournalRecovered(ILogger logger, int count);
}
