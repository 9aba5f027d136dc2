using System.Globalization;
using System.Security.Cryptography;
using Gatehouse.Accounts.Audit;
using Microsoft.Extensions.Logging;
using OtpNet;

namespace Gatehouse.Accounts.Admin;

public enum AdminLoginOutcome
{
    Passed,
    Refused,
    Locked,
}

/// <summary>
/// The two steps of an administrator's browser login: the password, then a TOTP code (RFC 6238: 6 digits, 30 s, one
/// step of clock drift either way, each step usable once) or a recovery code. <see cref="MaxFailures"/> consecutive
/// failures of either step lock the account for <see cref="LockoutDuration"/>; a locked account is refused without
/// its password being checked. Every success and refusal goes to the audit trail and the log with the reason (never
/// the secret).
/// </summary>
public sealed partial class AdminLogin(IAdminStore store, AuditTrail audit, PasswordHashing hashing, TimeProvider time, ILogger logger)
{
    public const int MaxFailures = 5;
    public const string Issuer = "Gatehouse";

    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    /// <summary>Checked for an unknown name, so that the answer takes as long as for a real one.</summary>
    private static readonly Lazy<string> UnknownNameHash = new(() => new PasswordHashing().Hash(Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    private static readonly VerificationWindow Drift = new(previous: 1, future: 1);

    public async Task<(AdminLoginOutcome Outcome, Administrator? Administrator)> CheckPasswordAsync(string name, string password, string from, CancellationToken cancellationToken)
    {
        var administrator = AccountNames.IsValid(name, out _) ? await store.FindAsync(name, cancellationToken).ConfigureAwait(false) : null;
        if (administrator is null)
        {
            hashing.Verify(UnknownNameHash.Value, password);
            await RefuseAsync(name, from, "unknown administrator", cancellationToken).ConfigureAwait(false);
            return (AdminLoginOutcome.Refused, null);
        }

        if (IsLocked(administrator))
        {
            await RefuseAsync(name, from, $"locked until {administrator.LockedUntil:u}", cancellationToken).ConfigureAwait(false);
            return (AdminLoginOutcome.Locked, null);
        }

        if (hashing.Verify(administrator.PasswordHash, password) == PasswordCheck.Invalid)
        {
            return (await FailAsync(name, from, AdminLoginStep.Password, "wrong password", cancellationToken).ConfigureAwait(false), null);
        }

        await store.ClearFailuresAsync(name, AdminLoginStep.Password, cancellationToken).ConfigureAwait(false);
        return (AdminLoginOutcome.Passed, administrator);
    }

    /// <summary>The second step of an enrolled administrator: a TOTP code, or one of the recovery codes.</summary>
    public async Task<AdminLoginOutcome> CheckCodeAsync(string name, string code, string from, CancellationToken cancellationToken)
    {
        var administrator = await store.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (administrator?.TotpSecret is null)
        {
            await RefuseAsync(name, from, "no such administrator with a second factor", cancellationToken).ConfigureAwait(false);
            return AdminLoginOutcome.Refused;
        }

        if (IsLocked(administrator))
        {
            await RefuseAsync(name, from, $"locked until {administrator.LockedUntil:u}", cancellationToken).ConfigureAwait(false);
            return AdminLoginOutcome.Locked;
        }

        code = code.Trim().Replace(" ", string.Empty, StringComparison.Ordinal);
        string? method = null;
        var reason = "wrong code";
        if (TotpStep(administrator.TotpSecret, code) is { } step)
        {
            if (await store.UseTotpStepAsync(name, step, cancellationToken).ConfigureAwait(false))
            {
                method = "totp";
            }
            else
            {
                reason = "code already used";
            }
        }
        else if (RecoveryCodes.TryNormalize(code, out var recovery) && await store.UseRecoveryCodeAsync(name, RecoveryCodes.HashOf(recovery), cancellationToken).ConfigureAwait(false))
        {
            method = $"recovery code ({await store.CountRecoveryCodesAsync(name, cancellationToken).ConfigureAwait(false)} left)";
        }

        if (method is null)
        {
            return await FailAsync(name, from, AdminLoginStep.Code, reason, cancellationToken).ConfigureAwait(false);
        }

        await SucceedAsync(administrator, from, method, cancellationToken).ConfigureAwait(false);
        return AdminLoginOutcome.Passed;
    }

    /// <summary>A new TOTP secret (160 bits, as RFC 4226 recommends), in base32 as authenticator apps take it.</summary>
    public static string NewSecret() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));

    /// <summary>What the enrolment QR code holds (the Key Uri Format authenticator apps read).</summary>
    public static string OtpAuthUri(string name, string secret) =>
        $"otpauth://totp/{Uri.EscapeDataString($"{Issuer}:{name}")}?secret={secret}&issuer={Issuer}&algorithm=SHA1&digits=6&period=30";

    /// <summary>
    /// The first login's second step: the code proves the authenticator holds <paramref name="secret"/>, which is then
    /// stored with fresh recovery codes (returned to be shown once; only their hashes are kept). Refused when the
    /// administrator enrolled meanwhile: replacing a second factor takes <c>gatehouse admin remove</c> and <c>add</c>.
    /// </summary>
    public async Task<(AdminLoginOutcome Outcome, IReadOnlyList<string> RecoveryCodes)> EnrolAsync(string name, string secret, string code, string from, CancellationToken cancellationToken)
    {
        var administrator = await store.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (administrator is null || administrator.TotpSecret is not null)
        {
            await RefuseAsync(name, from, "enrolment of an administrator who is gone or already enrolled", cancellationToken).ConfigureAwait(false);
            return (AdminLoginOutcome.Refused, []);
        }

        if (IsLocked(administrator))
        {
            await RefuseAsync(name, from, $"locked until {administrator.LockedUntil:u}", cancellationToken).ConfigureAwait(false);
            return (AdminLoginOutcome.Locked, []);
        }

        if (TotpStep(secret, code.Trim().Replace(" ", string.Empty, StringComparison.Ordinal)) is not { } step)
        {
            return (await FailAsync(name, from, AdminLoginStep.Code, "wrong code during enrolment", cancellationToken).ConfigureAwait(false), []);
        }

        var codes = RecoveryCodes.New();
        if (!await store.EnrolTotpAsync(name, secret, [.. codes.Select(RecoveryCodes.HashOf)], cancellationToken).ConfigureAwait(false))
        {
            await RefuseAsync(name, from, "already enrolled", cancellationToken).ConfigureAwait(false);
            return (AdminLoginOutcome.Refused, []);
        }

        await store.UseTotpStepAsync(name, step, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(new AuditActor($"web:{name}", from), "admin.totp.enrol", name, null, $"recovery codes={codes.Count}", cancellationToken).ConfigureAwait(false);
        await SucceedAsync(administrator, from, "totp (enrolment)", cancellationToken).ConfigureAwait(false);
        return (AdminLoginOutcome.Passed, codes);
    }

    private long? TotpStep(string secret, string code)
    {
        if (code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        return new Totp(Base32Encoding.ToBytes(secret)).VerifyTotp(time.GetUtcNow().UtcDateTime, code, out var step, Drift) ? step : null;
    }

    private bool IsLocked(Administrator administrator) => administrator.LockedUntil is { } until && until > time.GetUtcNow();

    private async Task SucceedAsync(Administrator administrator, string from, string method, CancellationToken cancellationToken)
    {
        LogLoggedIn(logger, administrator.Name, from, method);
        await store.ClearFailuresAsync(administrator.Name, AdminLoginStep.Code, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            new AuditActor($"web:{administrator.Name}", from), "admin.login", administrator.Name, null,
            $"role={administrator.Role.ToString().ToLowerInvariant()} second factor={method}", cancellationToken).ConfigureAwait(false);
    }

    private async Task<AdminLoginOutcome> FailAsync(string name, string from, AdminLoginStep step, string reason, CancellationToken cancellationToken)
    {
        var failures = await store.AddFailureAsync(name, step, cancellationToken).ConfigureAwait(false);
        if (failures < MaxFailures)
        {
            await RefuseAsync(name, from, $"{reason} ({failures} of {MaxFailures})", cancellationToken).ConfigureAwait(false);
            return AdminLoginOutcome.Refused;
        }

        var until = time.GetUtcNow() + LockoutDuration;
        await store.LockAsync(name, until, cancellationToken).ConfigureAwait(false);
        await RefuseAsync(name, from, $"{reason} ({failures} of {MaxFailures}): locked until {until.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
        return AdminLoginOutcome.Locked;
    }

    /// <summary>A refusal in the audit trail; a name that is not a valid account name is not copied into it.</summary>
    private Task RefuseAsync(string name, string from, string reason, CancellationToken cancellationToken)
    {
        var shown = AccountNames.IsValid(name, out _) ? name : "(invalid name)";
        LogRefused(logger, shown, from, reason);
        return audit.RecordAsync(new AuditActor($"web:{shown}", from), "admin.login.refused", shown, null, $"reason={reason}", cancellationToken);
    }

    [LoggerMessage(250, LogLevel.Warning, "Web admin login refused for '{Name}' from {Address}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string name, string address, string reason);

    [LoggerMessage(251, LogLevel.Information, "Administrator '{Name}' logged in to the web admin from {Address} (second factor: {Method})")]
    private static partial void LogLoggedIn(ILogger logger, string name, string address, string method);
}
