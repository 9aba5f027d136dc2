using System.Collections.Frozen;
using Gatehouse.Accounts.Bans;
using Gatehouse.Protocol.Replies;

namespace Gatehouse.Protocol.Commands;

/// <summary>Where a session stands, as far as which commands it may send now.</summary>
/// <param name="UserPending">USER was accepted and PASS has not been sent yet.</param>
/// <param name="RenameSourcePending">The command before this one was a successful RNFR.</param>
public readonly record struct CommandStateFacts(
    bool LoggedIn, bool ControlSecure, bool TlsRequired, bool Transferring, bool EpsvAll, bool UserPending, bool RenameSourcePending);

public enum CommandVerdict
{
    Run,

    /// <summary>Runs once the transfer in progress has ended.</summary>
    RunAfterTransfer,

    Refuse,
}

/// <param name="Abuse">Scored against the client's address when refused.</param>
/// <param name="Detail">Why it was refused, for the log line that follows the verb ("before login"); none for a mere slip in sequence.</param>
public readonly record struct CommandDecision(CommandVerdict Verdict, FtpReply? Refusal = null, AbuseKind? Abuse = null, string? Detail = null);

/// <summary>
/// The one table of which commands may be sent in which state of a session; handlers hold no sequencing rules.
/// Verbs are the handlers' primary verbs (XCWD arrives as CWD's handler, so as CWD).
/// </summary>
public static class CommandStates
{
    /// <summary>Allowed before login (vsftpd's pre-login set); anything else gets 530 and counts against the address.</summary>
    public static readonly FrozenSet<string> BeforeLogin =
        FrozenSet.ToFrozenSet(["USER", "PASS", "ACCT", "QUIT", "REIN", "AUTH", "PBSZ", "PROT", "PROXY", "OPTS", "HELP", "FEAT", "NOOP", "HOST"], StringComparer.Ordinal);

    /// <summary>Refused on a plain-text control connection when Tls:Policy is Required, so no password travels in clear.</summary>
    public static readonly FrozenSet<string> NeedTls = FrozenSet.ToFrozenSet(["USER"], StringComparer.Ordinal);

    /// <summary>Answered at once while a transfer runs; every other command waits until the transfer has ended.</summary>
    public static readonly FrozenSet<string> DuringTransfer = FrozenSet.ToFrozenSet(["ABOR", "STAT", "NOOP", "QUIT"], StringComparer.Ordinal);

    /// <summary>Refused after EPSV ALL (RFC 2428): only EPSV may set up data connections from then on.</summary>
    public static readonly FrozenSet<string> RefusedAfterEpsvAll = FrozenSet.ToFrozenSet(["PASV", "PORT", "EPRT"], StringComparer.Ordinal);

    /// <summary>RNTO must come right after RNFR: any other command forgets the name RNFR gave.</summary>
    public static bool KeepsRenameSource(string verb) => verb == "RNFR";

    /// <summary>
    /// What to do with <paramref name="verb"/> now. A command that must wait for a running transfer is decided again
    /// once the transfer has ended, with the facts of then: its refusals come in order, after the transfer's reply.
    /// </summary>
    public static CommandDecision Decide(string verb, CommandStateFacts facts)
    {
        if (!facts.LoggedIn && !BeforeLogin.Contains(verb))
        {
            return new(CommandVerdict.Refuse, new FtpReply(530, "Please log in with USER and PASS first."), AbuseKind.CommandBeforeLogin, "before login");
        }

        if (facts.Transferring && !DuringTransfer.Contains(verb))
        {
            return new(CommandVerdict.RunAfterTransfer);
        }

        if (facts.TlsRequired && !facts.ControlSecure && NeedTls.Contains(verb))
        {
            return new(CommandVerdict.Refuse,
                new FtpReply(530, $"TLS is required on this server: send AUTH TLS before {verb} (in your client, choose explicit FTP over TLS)."),
                Detail: "before TLS: Tls:Policy is Required");
        }

        if (verb == "PASS" && !facts.LoggedIn && !facts.UserPending)
        {
            return new(CommandVerdict.Refuse, new FtpReply(503, "Send USER first."));
        }

        if (verb == "RNTO" && !facts.RenameSourcePending)
        {
            return new(CommandVerdict.Refuse, new FtpReply(503, "Send RNFR immediately before RNTO."));
        }

        if (facts.EpsvAll && RefusedAfterEpsvAll.Contains(verb))
        {
            return new(CommandVerdict.Refuse, new FtpReply(503, "EPSV ALL is in effect: only EPSV may set up data connections."), Detail: "after EPSV ALL");
        }

        return new(CommandVerdict.Run);
    }
}
