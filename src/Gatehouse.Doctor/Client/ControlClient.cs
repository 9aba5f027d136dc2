using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Gatehouse.Doctor.Client;

/// <summary>
/// The doctor's side of a control connection: sends commands, reads (multi-line) replies, upgrades to TLS.
/// Every read is bounded by the reply time-out, so a dead connection shows as a time-out, never a hang.
/// </summary>
internal sealed class ControlClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly TimeSpan _replyTimeout;
    private readonly List<string> _transcript;
    private readonly ReplyLineReader _lines = new();
    private Stream _stream;
    private ReceivedTail? _underTls;
    private string _lastVerb = "the greeting";

    private ControlClient(Socket socket, TimeSpan replyTimeout, List<string> transcript)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _replyTimeout = replyTimeout;
        _transcript = transcript;
    }

    public IPEndPoint Remote => (IPEndPoint)_socket.RemoteEndPoint!;

    public IPEndPoint Local => (IPEndPoint)_socket.LocalEndPoint!;

    public SslStream? Tls => _stream as SslStream;

    /// <param name="maxSegmentSize">TCP_MAXSEG (<see cref="SegmentSize"/>); 0: the system's choice.</param>
    public static async Task<ControlClient> ConnectAsync(IPEndPoint server, TimeSpan connectTimeout, TimeSpan replyTimeout, List<string> transcript, CancellationToken cancellationToken, int maxSegmentSize = 0)
    {
        var socket = await DataSockets.ConnectAsync(server, connectTimeout, cancellationToken, maxSegmentSize).ConfigureAwait(false);
        socket.NoDelay = true;
        return new ControlClient(socket, replyTimeout, transcript);
    }

    /// <param name="patience">How long to wait, when a reply may take longer than usual (the server connecting back).</param>
    public async Task<ServerReply> ReadReplyAsync(CancellationToken cancellationToken, TimeSpan? patience = null)
    {
        var limit = patience ?? _replyTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            var first = await ReadLineAsync(timeout.Token).ConfigureAwait(false);
            if (first.Length < 3 || !int.TryParse(first.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code < 100)
            {
                throw new ProtocolViolationException($"the server sent \"{Shorten(first)}\" where an FTP reply was expected");
            }

            var lines = new List<string> { first.Length > 4 ? first[4..] : string.Empty };
            if (first.Length > 3 && first[3] == '-')
            {
                var end = first[..3] + " ";
                while (true)
                {
                    var line = await ReadLineAsync(timeout.Token).ConfigureAwait(false);
                    if (line.StartsWith(end, StringComparison.Ordinal))
                    {
                        lines.Add(line[4..]);
                        break;
                    }

                    lines.Add(line.TrimStart());
                }
            }

            var reply = new ServerReply(code, lines);
            _transcript.Add("< " + Describe(reply));
            return reply;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no reply within {limit.TotalSeconds:0} s");
        }
        catch (Exception error) when (error is IOException or AuthenticationException && _underTls is { SawPlainText: true } underTls)
        {
            if (await underTls.ReadPlainReplyAsync(cancellationToken).ConfigureAwait(false) is not { } text)
            {
                throw;
            }

            throw new PlainTextInTlsException(_lastVerb, text, error);
        }
    }

    public async Task<ServerReply> SendAsync(string command, CancellationToken cancellationToken, TimeSpan? patience = null)
    {
        await WriteAsync(command, cancellationToken).ConfigureAwait(false);
        return await ReadReplyAsync(cancellationToken, patience).ConfigureAwait(false);
    }

    public async Task WriteAsync(string command, CancellationToken cancellationToken)
    {
        _transcript.Add("> " + (command.StartsWith("PASS ", StringComparison.Ordinal) ? "PASS ****" : command));
        _lastVerb = command.Split(' ', 2)[0];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_replyTimeout);
        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), timeout.Token).ConfigureAwait(false);
            await _stream.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"could not send within {_replyTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Starts TLS on the connection: after a 234 to AUTH TLS, or at once for implicit TLS.</summary>
    public async Task<SslStream> StartTlsAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken)
    {
        if (_lines.HasBufferedBytes)
        {
            throw new ProtocolViolationException("the server sent more data before the TLS handshake");
        }

        var underTls = new ReceivedTail(_stream);
        var tls = new SslStream(underTls, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_replyTimeout);
        try
        {
            await tls.AuthenticateAsClientAsync(options, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"no TLS handshake within {_replyTimeout.TotalSeconds:0} s");
        }

        _stream = tls;
        _underTls = underTls;
        return tls;
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync().ConfigureAwait(false);

    public static string Describe(ServerReply reply) => Shorten(reply.Code.ToString(CultureInfo.InvariantCulture) + " " + string.Join(" ", reply.Lines));

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";

    private Task<string> ReadLineAsync(CancellationToken cancellationToken) => _lines.ReadLineAsync(_stream, cancellationToken);
}
