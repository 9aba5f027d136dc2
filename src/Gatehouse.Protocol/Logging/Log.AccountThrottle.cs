using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Logging;

/// <summary>The per-account throttle against password spraying (event ids 170-179).</summary>
public static partial class Log
{
    [LoggerMessage(170, LogLevel.Warning, "Login for '{User}' held {WaitMilliseconds} ms before its answer: {Failures} failed logins for this name from {Addresses} addresses in the last {WindowSeconds} s, this address among them (Bans:AccountFreeFailures)")]
    public static partial void AccountLoginHeld(ILogger logger, string user, long waitMilliseconds, int failures, int addresses, int windowSeconds);

    [LoggerMessage(171, LogLevel.Warning, "Login for '{User}' refused without a password check: {Failures} failed logins for this name from {Addresses} addresses in the last {WindowSeconds} s, and answers are already promised {WaitSeconds} s ahead (Bans:AccountMaxDelaySeconds); {Unlogged} more refused since the last line about this name")]
    public static partial void AccountLoginRefused(ILogger logger, string user, int failures, int addresses, int windowSeconds, long waitSeconds, int unlogged);

    [LoggerMessage(172, LogLevel.Error, "Could not {Operation} (failed logins per account, in the account store): {Reason}")]
    public static partial void AccountThrottleStoreFailed(ILogger logger, string operation, string reason);
}
