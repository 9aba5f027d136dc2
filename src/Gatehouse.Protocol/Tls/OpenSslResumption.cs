using System.Net.Security;

namespace Gatehouse.Protocol.Tls;

/// <summary>Whether a connection resumed an earlier TLS session (<c>SSL_session_reused</c>), which .NET does not expose.</summary>
public static unsafe class OpenSslResumption
{
    private static readonly Lazy<nint> SessionReused = new(() => OpenSslNative.Export("SSL_session_reused"));

    /// <summary>Null where the stream's connection cannot be reached.</summary>
    public static bool? Resumed(SslStream stream) =>
        SessionReused.Value == 0
            ? null
            : OpenSslNative.WithConnection(stream, ssl => ((delegate* unmanaged<nint, int>)SessionReused.Value)(ssl) == 1);
}
