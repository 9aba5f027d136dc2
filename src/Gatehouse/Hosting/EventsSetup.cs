using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Events;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Hosting;

/// <summary>What the server's event delivery and `gatehouse rule test` both build from the configuration.</summary>
public static class EventsSetup
{
    public static string QuarantineDirectory(GatehouseOptions options) =>
        string.IsNullOrWhiteSpace(options.Events.QuarantineDirectory) ? Path.Combine(new DataPaths(options.DataDirectory).Root, "quarantine") : options.Events.QuarantineDirectory;

    public static DeliveryBackoff Backoff(EventsOptions events) => new(events.MaxAttempts, TimeSpan.FromSeconds(events.RetryBaseSeconds));

    /// <param name="userFiles">A user's tree as their FTP session sees it, or null when the user no longer exists.</param>
    public static RuleRunner CreateRunner(
        GatehouseOptions options, Func<string, CancellationToken, Task<IFileSystem?>> userFiles, Func<EventKind, EventFacts, ValueTask> raise, HttpClient http, TimeProvider time, ILogger logger) =>
        new(
            new WebhookSender(http, new WebhookDestinations(options.Events.WebhookAllowedHosts), time),
            new CommandRunner(options.Events.Commands, logger),
            new FileActions(userFiles, raise),
            new MailSender(options.Events));

    public static Func<string, CancellationToken, Task<IFileSystem?>> UserFiles(IAccountStore accounts, AccessPolicyResolver policies, UserFileSystemFactory fileSystems) =>
        async (user, cancellationToken) =>
            await accounts.FindAsync(user, cancellationToken).ConfigureAwait(false) is { } account
                ? fileSystems.Create(account, await policies.ResolveAsync(user, cancellationToken).ConfigureAwait(false))
                : null;
}
