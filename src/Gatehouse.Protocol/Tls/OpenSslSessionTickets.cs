using System.Net.Security;
using System.Security.Authentication;

namespace Gatehouse.Protocol.Tls;

/// <summary>
/// TLS 1.3 session tickets go to control connections only. Data connections must resume the control connection's
/// session (FileZilla refuses an upload otherwise), so they share its OpenSSL context, and with it the number of
/// tickets a new connection sends after its handshake. Tickets on an upload's data connection are harmful: a client
/// that never reads that socket (curl before 7.74) closes it with the tickets unread, its kernel answers with a
/// reset, and the server loses the tail of the upload (curl issue #6149). So once a control connection is up, its
/// context sends no tickets from then on (every data connection after it starts with none), and the control
/// connection asks for one ticket of its own, which goes out with its next reply.
/// </summary>
public static unsafe class OpenSslSessionTickets
{
    private static readonly Lazy<Functions?> Native = new(Functions.Find);

    /// <summary>
    /// Called once the control connection's handshake is done, before anything else is read or written on it.
    /// False where the connection cannot be reached: data connections will then send tickets under TLS 1.3.
    /// </summary>
    public static bool AfterControlHandshake(SslStream control)
    {
        if (Native.Value is not { } native)
        {
            return false;
        }

        var issueOwn = control.SslProtocol == SslProtocols.Tls13;
        return OpenSslNative.WithConnection(control, ssl =>
        {
            native.CtxSetNumTickets(native.GetSslCtx(ssl), 0);
            // A connection made before its context sent no tickets has already sent its own during the handshake.
            return !issueOwn || native.GetNumTickets(ssl) > 0 || native.NewSessionTicket(ssl) == 1;
        }) ?? false;
    }

    /// <summary>How many tickets a connection sends after its handshake (<c>SSL_get_num_tickets</c>); null where unknown.</summary>
    public static long? TicketsAfterHandshake(SslStream stream) =>
        Native.Value is { } native ? OpenSslNative.WithConnection(stream, ssl => (long)native.GetNumTickets(ssl)) : null;

    private sealed class Functions
    {
        private readonly nint _getSslCtx;
        private readonly nint _ctxSetNumTickets;
        private readonly nint _getNumTickets;
        private readonly nint _newSessionTicket;

        private Functions(nint getSslCtx, nint ctxSetNumTickets, nint getNumTickets, nint newSessionTicket) =>
            (_getSslCtx, _ctxSetNumTickets, _getNumTickets, _newSessionTicket) = (getSslCtx, ctxSetNumTickets, getNumTickets, newSessionTicket);

        public nint GetSslCtx(nint ssl) => ((delegate* unmanaged<nint, nint>)_getSslCtx)(ssl);

        public int CtxSetNumTickets(nint ctx, nuint count) => ((delegate* unmanaged<nint, nuint, int>)_ctxSetNumTickets)(ctx, count);

        public nuint GetNumTickets(nint ssl) => ((delegate* unmanaged<nint, nuint>)_getNumTickets)(ssl);

        public int NewSessionTicket(nint ssl) => ((delegate* unmanaged<nint, int>)_newSessionTicket)(ssl);

        // OpenSSL 3.0 has all four; 1.1.1 lacks SSL_new_session_ticket, and then nothing here is used.
        public static Functions? Find()
        {
            var exports = new[] { "SSL_get_SSL_CTX", "SSL_CTX_set_num_tickets", "SSL_get_num_tickets", "SSL_new_session_ticket" }
                .Select(OpenSslNative.Export)
                .ToArray();
            return exports.Contains(0) ? null : new Functions(exports[0], exports[1], exports[2], exports[3]);
        }
    }
}
