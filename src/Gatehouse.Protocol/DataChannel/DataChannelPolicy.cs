using System.Net;
using Gatehouse.Protocol.Configuration;
using Gatehouse.Protocol.Replies;
using Gatehouse.Protocol.Sessions;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// The data-channel policy in one place, as pure decisions: whether data must be encrypted, whether a transfer may
/// start, whether clear data may be chosen, whether active mode may be used and where to (RFC 2577 bounce rules),
/// which client may take a passive port (the same-IP rule), and when TLS a client starts before its command is answered. Sockets stay in the listener and the connector; the order
/// of data-connection commands (EPSV ALL) is in <see cref="Commands.CommandStates"/>.
/// </summary>
public static class DataChannelPolicy
{
    public const int LowestAllowedPort = 1024;

    /// <summary>By the server's Tls:Policy, or by the user's own tls setting.</summary>
    public static bool EncryptionRequired(TlsPolicy serverPolicy, bool userRequiresTls) => serverPolicy == TlsPolicy.Required || userRequiresTls;

    /// <summary>Checked before a transfer command opens anything: the data would be encrypted if required, and there is an endpoint.</summary>
    public static FtpReply? TransferRefusal(bool encryptionRequired, DataProtection protection, bool hasEndpoint)
    {
        if (encryptionRequired && protection != DataProtection.Private)
        {
            return new FtpReply(521, "Data connections must be encrypted on this server: send PBSZ 0 and PROT P first (in your client, use explicit FTP over TLS).");
        }

        return hasEndpoint ? null : new FtpReply(425, "Use PASV or EPSV (or PORT/EPRT) before this command.");
    }

    /// <summary>PROT C: clear data is refused when the server requires TLS.</summary>
    public static FtpReply? ClearDataRefusal(TlsPolicy serverPolicy) =>
        serverPolicy == TlsPolicy.Required ? new FtpReply(534, "This server requires encrypted data connections: use PROT P.") : null;

    /// <summary>PORT and EPRT: whether active mode may be used at all (Ftp:AllowActiveMode).</summary>
    public static FtpReply? ActiveModeRefusal(bool allowed) =>
        allowed ? null : new FtpReply(502, "Active mode is disabled on this server (Ftp:AllowActiveMode): use PASV or EPSV.");

    /// <summary>
    /// RFC 2577 bounce protection: the server connects only back to the control connection's own client address, and
    /// never to a privileged port.
    /// </summary>
    public static bool IsActiveTargetAllowed(IPEndPoint requested, IPAddress controlClient, out string reason)
    {
        var target = Addresses.Normalize(requested.Address);
        if (!target.Equals(Addresses.Normalize(controlClient)))
        {
            reason = $"Active mode may only connect back to your own address ({Addresses.Normalize(controlClient)}), not {target}; use PASV or EPSV.";
            return false;
        }

        if (requested.Port < LowestAllowedPort)
        {
            reason = $"Active mode may not connect to privileged port {requested.Port} (below {LowestAllowedPort}); use PASV or EPSV.";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    /// <summary>
    /// The same-IP rule (Ftp:RequireSameClientIpForData): a passive port reserved for <paramref name="owner"/> is taken
    /// only by a connection from that address; a reservation without an owner (the rule turned off) by any.
    /// </summary>
    public static bool MayTakePassivePort(IPAddress? owner, IPAddress remote) => owner is null || owner.Equals(Addresses.Normalize(remote));

    /// <summary>
    /// Some clients (Go's jlaffaye/ftp) start TLS on a passive data connection as soon as it is open and send the
    /// transfer command only once the handshake is done: under PROT P the server answers such a handshake at once
    /// instead of waiting for the command, which would leave both sides waiting.
    /// </summary>
    public static bool AnswersTlsBeforeCommand(DataProtection protection) => protection == DataProtection.Private;

    /// <summary>A data connection secured before its command serves only a command that still finds PROT P in force.</summary>
    public static string? TlsBeforeCommandRefusal(bool securedBeforeCommand, DataProtection protection) =>
        securedBeforeCommand && protection != DataProtection.Private
            ? "Your client started TLS on this data connection, but PROT C is now in force: send PASV or EPSV again."
            : null;
}
