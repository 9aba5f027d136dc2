using System.Net.Security;
using System.Security.Cryptography;

namespace Gatehouse.Protocol.Tls;

/// <summary>Whether a connection resumed an earlier TLS session, and whose, which .NET does not expose.</summary>
public static unsafe class OpenSslResumption
{
    // TLS 1.2 master secrets are 48 bytes; a TLS 1.3 session's resumption secret is at most 48 (SHA-384).
    private const int MaxMasterKeyLength = 64;

    private static readonly Lazy<nint> SessionReused = new(() => OpenSslNative.Export("SSL_session_reused"));
    private static readonly Lazy<nint> GetSession = new(() => OpenSslNative.Export("SSL_get_session"));
    private static readonly Lazy<nint> GetMasterKey = new(() => OpenSslNative.Export("SSL_SESSION_get_master_key"));

    /// <summary>Whether the connection resumed some earlier session (<c>SSL_session_reused</c>); null where it cannot be reached.</summary>
    public static bool? Resumed(SslStream stream) =>
        SessionReused.Value == 0
            ? null
            : OpenSslNative.WithConnection(stream, ssl => ((delegate* unmanaged<nint, int>)SessionReused.Value)(ssl) == 1);

    /// <summary>
    /// Whether <paramref name="data"/> resumed the session of <paramref name="control"/>, not merely some session: a
    /// resumed connection carries its session's secret (the TLS 1.2 master secret; under TLS 1.3 the pre-shared key
    /// of the ticket the control connection issued), which nobody without that session can present. Null where either
    /// connection cannot be reached.
    /// </summary>
    public static bool? ResumedSessionOf(SslStream data, SslStream control)
    {
        if (Resumed(data) is not { } resumed)
        {
            return null;
        }

        if (!resumed)
        {
            return false;
        }

        Span<byte> dataKey = stackalloc byte[MaxMasterKeyLength];
        Span<byte> controlKey = stackalloc byte[MaxMasterKeyLength];
        if (MasterKey(data, dataKey) is not { } dataLength || MasterKey(control, controlKey) is not { } controlLength)
        {
            return null;
        }

        return dataLength > 0 && dataLength == controlLength
            && CryptographicOperations.FixedTimeEquals(dataKey[..dataLength], controlKey[..controlLength]);
    }

    /// <summary>Copies the secret of the stream's current session into <paramref name="key"/>; its length, or null where unknown.</summary>
    private static int? MasterKey(SslStream stream, Span<byte> key)
    {
        if (GetSession.Value == 0 || GetMasterKey.Value == 0)
        {
            return null;
        }

        fixed (byte* buffer = key)
        {
            var address = (nint)buffer;
            var length = key.Length;
            return OpenSslNative.WithConnection(stream, ssl =>
            {
                var session = ((delegate* unmanaged<nint, nint>)GetSession.Value)(ssl);
                return session == 0 ? 0 : (int)((delegate* unmanaged<nint, byte*, nuint, nuint>)GetMasterKey.Value)(session, (byte*)address, (nuint)length);
            });
        }
    }
}
