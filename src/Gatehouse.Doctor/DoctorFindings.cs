using System.Globalization;
using System.Net;

namespace Gatehouse.Doctor;

/// <summary>
/// Every finding the doctor can report, worded once. Each names what a step showed and the fix; settings are named
/// for Gatehouse and described so an administrator of another server can find its equivalent.
/// </summary>
public static class DoctorFindings
{
    public static DoctorFinding NameDoesNotResolve(string host, string reason) => new(
        $"The name {host} does not resolve ({reason}).",
        "Check the spelling, or the server's DNS record.");

    public static DoctorFinding ControlPortClosed(IPEndPoint server, string reason) => new(
        $"Nothing accepts connections on {server} ({reason}).",
        "Check the port, and that the server runs and listens on that address.");

    public static DoctorFinding ControlPortFiltered(IPEndPoint server, string reason) => new(
        $"{server} did not answer ({reason}): a firewall drops connections to the control port.",
        $"Allow TCP port {server.Port} inbound to the server (and forward it on a NAT router in front of it).");

    public static DoctorFinding NoGreeting(string what) => new(
        $"The server sent no FTP greeting ({what}).",
        "Check that this is the FTP port; a port that expects implicit TLS stays silent: run again with --implicit.");

    public static DoctorFinding ExplicitOnImplicitPort() => new(
        "The server sent no greeting, but answered a TLS handshake: this port speaks implicit TLS.",
        "Run again with --implicit, or use the server's explicit port (usually 21).");

    public static DoctorFinding ImplicitOnExplicitPort() => new(
        "The TLS handshake failed because this port greets in plain text: it speaks explicit FTPS, not implicit.",
        "Run again without --implicit, or use the server's implicit port (usually 990).");

    public static DoctorFinding Unavailable(string reply) => new(
        $"The server turned the connection away: {Quote(reply)}.",
        "The server is full, draining or refusing your address; its log says which.");

    public static DoctorFinding TlsNotOffered(string reply) => new(
        $"The server does not offer TLS (AUTH TLS was answered {Quote(reply)}), so passwords and files would cross the network in clear; the doctor did not send the password.",
        "Turn on TLS with a certificate (Gatehouse: Tls:Policy Required, Tls:CertificateFile and Tls:KeyFile).");

    public static DoctorFinding TlsRequired(string reply) => new(
        $"The server requires TLS before login (USER was answered {Quote(reply)}).",
        "Use an ftps:// URL, as your partners' clients must use explicit FTP over TLS.");

    public static DoctorFinding TlsHandshakeFailed(string reason) => new(
        $"The TLS handshake failed: {reason}.",
        "Check the server's certificate and key, and that it accepts TLS 1.2 or 1.3.");

    public static DoctorFinding PathMtuBlackHole(string step, string reason, int segmentSize) => new(
        $"Large packets are lost between you and the server: the {step} stalled ({reason}) and worked when retried with TCP segments of at most {segmentSize} bytes. "
        + "This is a path-MTU black hole: a tunnel or VPN on the path has a smaller MTU, and the ICMP \"fragmentation needed\" that would say so is dropped.",
        "Clamp the TCP MSS on the tunnel's router (nftables: tcp flags syn tcp option maxseg size set rt mtu), or let ICMP \"fragmentation needed\" "
        + "(ICMPv6 \"packet too big\") through; if neither can be changed, cap the server's segment size (Gatehouse: Ftp:MaxSegmentSize 1200).");

    public static DoctorFinding CertificateUntrusted(string subject, string issuer, string reason) => new(
        $"The certificate ({subject}, issued by {issuer}) is not trusted: {reason}.",
        "Install a certificate from a CA your partners trust, with its full chain; to test a private CA, pass it with --ca-file.");

    public static DoctorFinding CertificateWrongName(string host, string names) => new(
        $"The certificate is for {names}, not {host}: clients that check names refuse it.",
        $"Connect with a name the certificate lists, or get one that includes {host}.");

    public static DoctorFinding CertificateExpired(DateTimeOffset notAfter) => new(
        $"The certificate expired on {Date(notAfter)}.",
        "Renew the certificate and give the server the new one.");

    public static DoctorFinding CertificateNotYetValid(DateTimeOffset notBefore) => new(
        $"The certificate is valid only from {Date(notBefore)}.",
        "Check the server's clock and the certificate's dates.");

    public static DoctorFinding CertificateExpiresSoon(DateTimeOffset notAfter, int days) => new(
        $"The certificate expires in {days} day(s), on {Date(notAfter)}.",
        "Renew it before then; clients refuse an expired certificate.");

    public static DoctorFinding LoginRefused(string reply) => new(
        $"The login was refused: {Quote(reply)}.",
        "Check the user name and password; the server's log says why (a wrong password, a ban, an address rule, a disabled account).");

    public static DoctorFinding ProtectionRefused(string reply) => new(
        $"The server refused to encrypt the data connections (PROT P was answered {Quote(reply)}): files would travel in clear.",
        "Allow PROT P on the server.");

    public static DoctorFinding FolderMissing(string folder, string reply) => new(
        $"The folder {folder} cannot be entered: {Quote(reply)}.",
        "Check the folder in the URL, and the user's permissions on it.");

    public static DoctorFinding PassiveAddressPrivate(IPAddress announced, IPAddress reached, int port) => new(
        $"PASV names the private address {announced}, but you reach the server at {reached}: the data connection to {Endpoint(announced, port)} failed, to {Endpoint(reached, port)} it worked, so clients that use the announced address fail.",
        $"Set the address the server announces to {reached} or its public name (Gatehouse: Ftp:PassiveAddress).");

    public static DoctorFinding PassiveAddressWrong(IPAddress announced, IPAddress reached, int port) => new(
        $"PASV names {announced}, which does not take the data connection ({Endpoint(announced, port)} failed), while {Endpoint(reached, port)} does.",
        $"Set the address the server announces to {reached} or its public name (Gatehouse: Ftp:PassiveAddress).");

    public static DoctorFinding PassivePortUnreachable(string command, IPEndPoint endpoint, string reason) => new(
        $"The passive port {endpoint.Port} that {command} announced cannot be reached at {endpoint.Address} ({reason}): the firewall or NAT router in front of the server does not let the passive port range through.",
        "Allow (and on a NAT router, forward) the server's whole passive port range to the server (Gatehouse: Ftp:PassivePorts).");

    public static DoctorFinding AddressRewritten(IPAddress plain, IPAddress secured) => new(
        $"A router rewrites FTP on plain connections (an FTP ALG): PASV named {plain} in plain text but {secured} inside TLS, which the router cannot read, so TLS clients get {secured}.",
        $"Make the server announce {plain} itself (Gatehouse: Ftp:PassiveAddress), and turn off the router's FTP helper.");

    public static DoctorFinding ActiveRefused(string reply) => new(
        $"The server refuses active mode: {Quote(reply)}.",
        "Use passive mode (EPSV or PASV, what most clients do by default).");

    public static DoctorFinding ActiveBlocked(IPEndPoint endpoint, string what) => new(
        $"Active mode does not work: the server could not connect back to {endpoint} ({what}).",
        "Use passive mode (EPSV or PASV, what most clients do by default), or allow connections from the server into your network.");

    public static DoctorFinding TransferFailed(string what, string reason) => new(
        $"The {what} failed: {reason}.",
        "The server's log says why; check the user's permissions and quota.");

    public static DoctorFinding TransferCorrupted(long received, long sent) => new(
        $"The downloaded file differs from the uploaded one ({received} bytes back of {sent} sent).",
        "Check for a proxy or scanner that alters FTP data, and that the transfer type is binary (TYPE I).");

    public static DoctorFinding ControlConnectionDied(int seconds, string reason) => new(
        $"The control connection was dead after a {seconds}-second transfer ({reason}): a firewall or NAT router dropped it as idle while the data connection was busy.",
        "Turn on control-connection keep-alive below the firewall's idle time-out (Gatehouse: Ftp:ControlKeepAliveSeconds), or raise that time-out.");

    public static DoctorFinding ControlConnectionLost(string afterStep, string reason) => new(
        $"The server ended the control connection after the step \"{afterStep}\" ({reason}).",
        "The server's log says why; the steps above show what it was answering.");

    public static DoctorFinding TlsSessionNotResumed(string reply) => new(
        $"The server refused the data connection ({Quote(reply)}) after a TLS handshake that did not resume the control connection's session, although the doctor offered it: the server requires resumption but did not accept its own session, so the data channel could not be tested.",
        "Clients that resume (FileZilla, WinSCP, lftp) fail the same way: check that the server keeps its TLS sessions between connections (a session cache for TLS 1.2, session tickets for TLS 1.3), or let data connections start new sessions (vsftpd: require_ssl_reuse=NO; ProFTPD: TLSOptions NoSessionReuseRequired).");

    public static DoctorFinding TlsSessionNotIssued(string reply) => new(
        $"The server refused the data connection ({Quote(reply)}) because it did not resume the control connection's TLS session, but the server gave the control connection no session that can be resumed (under TLS 1.3: no session ticket), so the data channel could not be tested.",
        "Clients that resume (FileZilla, WinSCP, lftp) fail the same way: have the server issue TLS 1.3 session tickets (or keep TLS 1.2 session IDs), or let data connections start new sessions (vsftpd: require_ssl_reuse=NO; ProFTPD: TLSOptions NoSessionReuseRequired).");

    public static DoctorFinding TlsSessionNotOffered(string reply, string why) => new(
        $"The server refused the data connection ({Quote(reply)}) after a TLS handshake with a new session: it requires data connections to resume the control connection's TLS session, which the doctor did not offer ({why}), so the data channel was not tested.",
        "No fault of the server: FileZilla, WinSCP and lftp resume sessions; test the data channel with one of them.");

    public static DoctorFinding PlainTextInTls(string step, string command, string text) => new(
        $"At the step \"{step}\" the server answered {command} by writing plain text into the TLS connection, then closed it: {Quote(text)}. Clients report only a TLS error (\"wrong version number\", GnuTLS error -15).",
        text.Contains("cannot change directory", StringComparison.OrdinalIgnoreCase)
            ? "vsftpd reports fatal errors this way, and the text names the cause: the user's home (or chroot) directory is missing or cannot be entered. Create it, or fix its owner and permissions, on the server."
            : "vsftpd reports fatal errors this way, and the text names the cause; the server's log says more.");

    public static DoctorFinding NoDataChannel() => new(
        "No passive data connection worked, so nothing could be listed or transferred.",
        "See the findings above about the passive ports.");

    /// <summary>A server reply inside a sentence, without the full stop it usually ends with.</summary>
    private static string Quote(string reply) => "\"" + reply.TrimEnd('.', ' ') + "\"";

    private static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Endpoint(IPAddress address, int port) => new IPEndPoint(address, port).ToString();
}
