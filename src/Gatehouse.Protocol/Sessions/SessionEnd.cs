using System.Net.Sockets;
using System.Security.Authentication;
using Gatehouse.Protocol.Logging;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Sessions;

/// <summary>Why a session ended, as its last log line says it.</summary>
internal static class SessionEnd
{
    public const string ClientClosed = "client closed the connection";

    public const string ByProtocol = "closed by the protocol (QUIT or too many failed logins)";

    public const string ShuttingDown = "server shutting down";

    /// <summary>The reason for the exception that ended the session, logged where an operator needs more than the reason.</summary>
    /// <param name="cancelledBySession">The session cancelled itself (time-out, QUIT, shutdown), and has already said why: null then.</param>
    public static string? For(Exception exception, bool cancelledBySession, ILogger logger)
    {
        switch (exception)
        {
            case PlaintextInjectionException:
                Log.PlaintextAfterAuth(logger);
                return "plain text after AUTH TLS";
            case AuthenticationException:
                Log.TlsHandshakeFailed(logger, "control", exception.Message);
                return "TLS handshake failed";
            case OperationCanceledException when cancelledBySession:
                return null;
            case OperationCanceledException:
                return "timed out waiting for the client (TLS handshake or reply)";
            case IOException or SocketException or ObjectDisposedException:
                return "connection lost";
            default:
                Log.SessionFailed(logger, exception);
                return "internal error";
        }
    }
}
