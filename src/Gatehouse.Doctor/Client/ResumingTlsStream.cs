using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Gatehouse.Protocol.Tls;

namespace Gatehouse.Doctor.Client;

/// <summary>
/// TLS on a data connection through the runtime's own libssl, offering the control connection's TLS session
/// (<c>SSL_set_session</c>) as FileZilla, WinSCP and lftp do, for servers that require it (vsftpd's require_ssl_reuse,
/// ProFTPD's default). SslStream offers a session only from its own cache, which is keyed by the SNI name and so never
/// serves a server reached by its address. The socket stays non-blocking: when libssl wants to read, the stream waits
/// for data with a peek, so nothing blocks a thread.
/// </summary>
internal sealed class ResumingTlsStream : Stream
{
    private const int SslCtrlSetMinProtoVersion = 123;
    private const int SslCtrlSetTlsextHostname = 55;
    private const int Tls12Version = 0x0303;
    private const ulong SslOpIgnoreUnexpectedEof = 1 << 7;
    private const int SslSentShutdown = 1;
    private const int SslReceivedShutdown = 2;
    private const int SslErrorWantRead = 2;
    private const int SslErrorWantWrite = 3;
    private const int SslErrorSyscall = 5;
    private const int SslErrorZeroReturn = 6;

    private static readonly TimeSpan Draining = TimeSpan.FromSeconds(2);

    // One client context for the process, as a browser keeps one: it holds no session of its own (each is set).
    private static readonly Lazy<nint> Context = new(CreateContext);

    private readonly LibsslFunctions _ssl;
    private readonly Socket _socket;
    private readonly byte[] _peek = new byte[1];
    private nint _connection;

    private ResumingTlsStream(LibsslFunctions ssl, Socket socket, nint connection)
    {
        _ssl = ssl;
        _socket = socket;
        _connection = connection;
    }

    /// <summary>Whether a session that can be resumed was offered: false when the server gave the control connection none (no TLS 1.3 ticket).</summary>
    public bool OfferedResumable { get; private set; }

    /// <summary>Whether the handshake resumed the session offered.</summary>
    public unsafe bool Resumed => _ssl.SessionReused(_connection) == 1;

    /// <summary>"TLSv1.3", "TLSv1.2".</summary>
    public unsafe string Protocol => Marshal.PtrToStringUTF8(_ssl.GetVersion(_connection)) ?? "TLS";

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Whether libssl can be reached behind <paramref name="control"/> (Linux, the runtime's OpenSSL).</summary>
    public static bool CanResume(SslStream control) =>
        OpenSslNative.WithConnection(control, ssl => ssl != 0) == true && LibsslFunctions.Instance is not null && Context.Value != 0;

    /// <summary>
    /// The handshake on <paramref name="socket"/> (which the stream then owns), offering <paramref name="control"/>'s
    /// session unless it is null. The server's certificate is not checked here: the control connection's was.
    /// </summary>
    public static async Task<ResumingTlsStream> ConnectAsync(Socket socket, SslStream? control, string serverName, CancellationToken cancellationToken)
    {
        var ssl = LibsslFunctions.Instance ?? throw new InvalidOperationException("libssl cannot be reached");
        var stream = new ResumingTlsStream(ssl, socket, New(ssl));
        try
        {
            stream.Prepare(control, serverName);
            await stream.RepeatAsync(stream.Connect, "the TLS handshake", cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        using var pin = buffer.Pin();
        var target = Address(pin);
        return await RepeatAsync(connection => Read(connection, target, buffer.Length), "reading", cancellationToken, endIsZero: true).ConfigureAwait(false);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        // Without partial writes (libssl's default) one SSL_write takes the whole buffer, repeated with the same arguments when it must wait.
        using var pin = buffer.Pin();
        var source = Address(pin);
        await RepeatAsync(connection => Write(connection, source, buffer.Length), "writing", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends close_notify and ends the sending side, so that the server knows an upload is complete, then reads until
    /// the server closes (for at most <see cref="Draining"/>): what it sent unread (TLS 1.3 session tickets) would
    /// otherwise make the close a reset, which fails the upload (vsftpd: 426 Failure reading network stream).
    /// </summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        await RepeatAsync(Shutdown, "closing", cancellationToken).ConfigureAwait(false);
        _socket.Shutdown(SocketShutdown.Send);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Draining);
        var rest = new byte[4096];
        try
        {
            while (await ReadAsync(rest, limit.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception error) when (error is IOException or SocketException || error is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The server may reset, or keep the connection open; the upload's final reply says whether it arrived.
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override unsafe void Dispose(bool disposing)
    {
        if (_connection != 0)
        {
            // Freed without a shutdown, libssl would mark the session unfit for resumption: under TLS 1.2 that is the
            // control connection's own session object, and the next data connection could not offer it.
            _ssl.SetShutdown(_connection, SslSentShutdown | SslReceivedShutdown);
            _ssl.Free(_connection);
            _connection = 0;
        }

        if (disposing)
        {
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    private static unsafe nint New(LibsslFunctions ssl) => Context.Value == 0 ? 0 : ssl.New(Context.Value);

    private static unsafe nint Address(System.Buffers.MemoryHandle pin) => (nint)pin.Pointer;

    private unsafe void Prepare(SslStream? control, string serverName)
    {
        if (_connection == 0 || _ssl.SetFd(_connection, (int)_socket.SafeHandle.DangerousGetHandle()) != 1)
        {
            throw new IOException("libssl could not start a TLS connection");
        }

        if (!IPAddress.TryParse(serverName, out _))
        {
            // The same name the control connection sent (SslStream sends none for an address).
            fixed (byte* name = Encoding.UTF8.GetBytes(serverName + "\0"))
            {
                _ssl.Ctrl(_connection, SslCtrlSetTlsextHostname, 0, (nint)name);
            }
        }

        OfferedResumable = control is not null && OfferSession(_ssl, control, _connection);
    }

    private unsafe int Connect(nint connection) => _ssl.Connect(connection);

    private unsafe int Read(nint connection, nint buffer, int length) => _ssl.Read(connection, (byte*)buffer, length);

    private unsafe int Write(nint connection, nint buffer, int length) => _ssl.Write(connection, (byte*)buffer, length);

    private unsafe int Shutdown(nint connection) => _ssl.Shutdown(connection) >= 0 ? 1 : -1;

    /// <summary>One call, and libssl's error code when it did not succeed (0 when it did).</summary>
    private unsafe int Attempt(Func<nint, int> call, out int result)
    {
        _ssl.ErrClearError();
        result = call(_connection);
        return result > 0 ? 0 : _ssl.GetError(_connection, result);
    }

    /// <summary>Offers the control connection's latest session (under TLS 1.3, that of the last ticket the server sent); false when it has none that can be resumed.</summary>
    private static unsafe bool OfferSession(LibsslFunctions ssl, SslStream control, nint connection)
    {
        var session = OpenSslNative.WithConnection(control, controlSsl => ssl.Get1Session(controlSsl)) ?? 0;
        if (session == 0)
        {
            return false;
        }

        var resumable = ssl.SessionIsResumable(session) == 1;
        ssl.SetSession(connection, session);
        ssl.SessionFree(session);
        return resumable;
    }

    private static unsafe nint CreateContext()
    {
        var ssl = LibsslFunctions.Instance;
        if (ssl is null)
        {
            return 0;
        }

        var context = ssl.CtxNew(ssl.TlsClientMethod());
        if (context != 0)
        {
            ssl.CtxCtrl(context, SslCtrlSetMinProtoVersion, Tls12Version, 0);
            // A server that closes a listing's connection without close_notify has still sent the whole listing.
            ssl.CtxSetOptions(context, SslOpIgnoreUnexpectedEof);
        }

        return context;
    }

    /// <summary>Calls <paramref name="call"/> until it succeeds, waiting for the socket whenever libssl must.</summary>
    private async Task<int> RepeatAsync(Func<nint, int> call, string what, CancellationToken cancellationToken, bool endIsZero = false)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_connection == 0, this);
            var error = Attempt(call, out var result);
            if (error == 0)
            {
                return result;
            }

            if (error == SslErrorWantRead)
            {
                // Waits until data arrives, and leaves it for libssl to read.
                await _socket.ReceiveAsync(_peek, SocketFlags.Peek, cancellationToken).ConfigureAwait(false);
            }
            else if (error == SslErrorWantWrite)
            {
                // The send buffer is full: rare on a data connection, so a short pause is enough.
                await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken).ConfigureAwait(false);
            }
            else if (endIsZero && error == SslErrorZeroReturn)
            {
                return 0;
            }
            else
            {
                throw new IOException($"{what} failed: {Describe(error)}");
            }
        }
    }

    private unsafe string Describe(int error)
    {
        var code = _ssl.ErrGetError();
        if (code != 0)
        {
            return Marshal.PtrToStringUTF8(_ssl.ErrReasonString(code)) ?? $"OpenSSL error {code:X}";
        }

        return error is SslErrorSyscall or SslErrorZeroReturn
            ? "the server closed the connection"
            : $"OpenSSL error {error}";
    }
}
