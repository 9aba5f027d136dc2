using System.Net.Security;

namespace Gatehouse.Protocol.Tls;

/// <summary>
/// Asks OpenSSL to free a connection's record buffers (about 34 KiB) whenever they are empty
/// (<c>SSL_MODE_RELEASE_BUFFERS</c>, as nginx, HAProxy and Python's ssl module do). An idle control connection then
/// holds no record buffers at all. Where the connection cannot be reached (<see cref="OpenSslNative"/>) the stream is
/// left as it is: the mode only saves memory.
/// </summary>
public static unsafe class OpenSslIdleBuffers
{
    private const int SslCtrlMode = 33;
    private const nint SslModeReleaseBuffers = 0x10;

    private static readonly Lazy<nint> SslCtrl = new(() => OpenSslNative.Export("SSL_ctrl"));

    /// <summary>Sets the mode on an authenticated stream; returns whether it is now set.</summary>
    public static bool Release(SslStream stream) =>
        Mode(stream, SslModeReleaseBuffers) is { } mode && (mode & SslModeReleaseBuffers) != 0;

    /// <summary>
    /// <c>SSL_set_mode</c>: adds <paramref name="bits"/> (none: only reads) and returns the mode the connection now
    /// has, or null where the stream's <c>SSL*</c> cannot be reached.
    /// </summary>
    public static nint? Mode(SslStream stream, nint bits = 0) =>
        SslCtrl.Value == 0
            ? null
            : OpenSslNative.WithConnection(stream, ssl => ((delegate* unmanaged<nint, int, nint, nint, nint>)SslCtrl.Value)(ssl, SslCtrlMode, bits, 0));
}
