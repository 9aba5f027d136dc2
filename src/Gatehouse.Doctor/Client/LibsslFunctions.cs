using Gatehouse.Protocol.Tls;

namespace Gatehouse.Doctor.Client;

/// <summary>
/// The libssl functions <see cref="ResumingTlsStream"/> calls, from the libssl the runtime has loaded
/// (<see cref="OpenSslNative"/>); null where any one is missing.
/// </summary>
internal sealed unsafe class LibsslFunctions
{
    private static readonly Lazy<LibsslFunctions?> Loaded = new(Load);

    private LibsslFunctions()
    {
    }

    /// <summary>Null until the runtime has loaded libssl (after a first handshake), or where it cannot be reached.</summary>
    public static LibsslFunctions? Instance => Loaded.Value;

    public delegate* unmanaged<nint> TlsClientMethod { get; private init; }

    public delegate* unmanaged<nint, nint> CtxNew { get; private init; }

    public delegate* unmanaged<nint, int, nint, nint, nint> CtxCtrl { get; private init; }

    public delegate* unmanaged<nint, ulong, ulong> CtxSetOptions { get; private init; }

    public delegate* unmanaged<nint, nint> New { get; private init; }

    public delegate* unmanaged<nint, void> Free { get; private init; }

    public delegate* unmanaged<nint, int, int> SetFd { get; private init; }

    public delegate* unmanaged<nint, int, nint, nint, nint> Ctrl { get; private init; }

    public delegate* unmanaged<nint, nint> Get1Session { get; private init; }

    public delegate* unmanaged<nint, nint, int> SetSession { get; private init; }

    public delegate* unmanaged<nint, void> SessionFree { get; private init; }

    public delegate* unmanaged<nint, int> Connect { get; private init; }

    public delegate* unmanaged<nint, byte*, int, int> Read { get; private init; }

    public delegate* unmanaged<nint, byte*, int, int> Write { get; private init; }

    public delegate* unmanaged<nint, int> Shutdown { get; private init; }

    public delegate* unmanaged<nint, int, void> SetShutdown { get; private init; }

    public delegate* unmanaged<nint, int> SessionIsResumable { get; private init; }

    public delegate* unmanaged<nint, int, int> GetError { get; private init; }

    public delegate* unmanaged<nint, int> SessionReused { get; private init; }

    public delegate* unmanaged<nint, nint> GetVersion { get; private init; }

    public delegate* unmanaged<ulong> ErrGetError { get; private init; }

    public delegate* unmanaged<void> ErrClearError { get; private init; }

    public delegate* unmanaged<ulong, nint> ErrReasonString { get; private init; }

    private static LibsslFunctions? Load()
    {
        // libcrypto's ERR_* functions are found through libssl, which depends on it.
        string[] names =
        [
            "TLS_client_method", "SSL_CTX_new", "SSL_CTX_ctrl", "SSL_CTX_set_options", "SSL_new", "SSL_free", "SSL_set_fd", "SSL_ctrl",
            "SSL_get1_session", "SSL_set_session", "SSL_SESSION_free", "SSL_connect", "SSL_read", "SSL_write", "SSL_shutdown",
            "SSL_get_error", "SSL_session_reused", "SSL_get_version", "ERR_get_error", "ERR_clear_error", "ERR_reason_error_string",
            "SSL_set_shutdown", "SSL_SESSION_is_resumable",
        ];
        var f = names.Select(OpenSslNative.Export).ToArray();
        if (f.Contains(0))
        {
            return null;
        }

        return new LibsslFunctions
        {
            TlsClientMethod = (delegate* unmanaged<nint>)f[0],
            CtxNew = (delegate* unmanaged<nint, nint>)f[1],
            CtxCtrl = (delegate* unmanaged<nint, int, nint, nint, nint>)f[2],
            CtxSetOptions = (delegate* unmanaged<nint, ulong, ulong>)f[3],
            New = (delegate* unmanaged<nint, nint>)f[4],
            Free = (delegate* unmanaged<nint, void>)f[5],
            SetFd = (delegate* unmanaged<nint, int, int>)f[6],
            Ctrl = (delegate* unmanaged<nint, int, nint, nint, nint>)f[7],
            Get1Session = (delegate* unmanaged<nint, nint>)f[8],
            SetSession = (delegate* unmanaged<nint, nint, int>)f[9],
            SessionFree = (delegate* unmanaged<nint, void>)f[10],
            Connect = (delegate* unmanaged<nint, int>)f[11],
            Read = (delegate* unmanaged<nint, byte*, int, int>)f[12],
            Write = (delegate* unmanaged<nint, byte*, int, int>)f[13],
            Shutdown = (delegate* unmanaged<nint, int>)f[14],
            GetError = (delegate* unmanaged<nint, int, int>)f[15],
            SessionReused = (delegate* unmanaged<nint, int>)f[16],
            GetVersion = (delegate* unmanaged<nint, nint>)f[17],
            ErrGetError = (delegate* unmanaged<ulong>)f[18],
            ErrClearError = (delegate* unmanaged<void>)f[19],
            ErrReasonString = (delegate* unmanaged<ulong, nint>)f[20],
            SetShutdown = (delegate* unmanaged<nint, int, void>)f[21],
            SessionIsResumable = (delegate* unmanaged<nint, int>)f[22],
        };
    }
}
