using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Gatehouse.Doctor.Client;

namespace LoadGen;

/// <summary>A minimal FTP client: control replies, explicit TLS (AUTH TLS, PROT P) and EPSV data connections.</summary>
internal sealed class FtpClient : IAsyncDisposable
{
    /// <summary>Any 1xx reply: servers answer a transfer command with 150 or (pyftpdlib) 125.</summary>
    public const int Preliminary = 1;

    private readonly Socket _socket;
    private readonly ReplyLineReader _lines = new(4096);
    private Stream _stream;

    private FtpClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public bool Tls { get; private set; }

    public static async Task<FtpClient> ConnectAsync(IPEndPoint server, CancellationToken cancellationToken)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new FtpClient(socket);
        await client.ExpectAsync(220, cancellationToken);
        return client;
    }

    /// <summary>Connects, optionally secures the control connection and data (PROT P), and logs in.</summary>
    public static async Task<FtpClient> LogInAsync(Options options, CancellationToken cancellationToken)
    {
        var client = await ConnectAsync(options.Server, cancellationToken);
        try
        {
            if (options.Tls)
            {
                await client.CommandAsync("AUTH TLS", 234, cancellationToken);
                await client.SecureAsync(cancellationToken);
            }

            await client.CommandAsync("USER " + options.User, 331, cancellationToken);
            await client.CommandAsync("PASS " + options.Password, 230, cancellationToken);
            if (options.Tls)
            {
                await client.CommandAsync("PBSZ 0", 200, cancellationToken);
                await client.CommandAsync("PROT P", 200, cancellationToken);
            }

            await client.CommandAsync("TYPE I", 200, cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public async Task<string> CommandAsync(string command, int expected, CancellationToken cancellationToken)
    {
        await SendAsync(command, cancellationToken);
        return await ExpectAsync(expected, cancellationToken);
    }

    public async Task SendAsync(string command, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken);

    /// <summary>Reads one (possibly multi-line) reply and fails unless its code is the expected one (or any 1xx for Preliminary).</summary>
    public async Task<string> ExpectAsync(int expected, CancellationToken cancellationToken)
    {
        var first = await ReadLineAsync(cancellationToken);
        var line = first;
        while (line.Length >= 4 && line[3] == '-' || line.Length >= 3 && line[..3] != first[..3])
        {
            line = await ReadLineAsync(cancellationToken);
        }

        var matches = expected == Preliminary ? first.StartsWith('1') : first.StartsWith(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        if (!matches)
        {
            throw new IOException($"expected {expected}, got: {first}");
        }

        return first;
    }

    /// <summary>EPSV, then the command (RETR, MLSD, LIST ...); returns the data connection after the 150 reply.</summary>
    public async Task<Stream> OpenDataAsync(string command, CancellationToken cancellationToken)
    {
        var reply = await CommandAsync("EPSV", 229, cancellationToken);
        var open = reply.IndexOf("(|||", StringComparison.Ordinal) + 4;
        var port = int.Parse(reply[open..reply.IndexOf('|', open)], System.Globalization.CultureInfo.InvariantCulture);
        var remote = (IPEndPoint)_socket.RemoteEndPoint!;
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Stream data;
        try
        {
            await socket.ConnectAsync(new IPEndPoint(remote.Address, port), cancellationToken);
            data = new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        await SendAsync(command, cancellationToken);
        if (!Tls)
        {
            await ExpectAsync(Preliminary, cancellationToken);
            return data;
        }

        // Servers differ on whether the handshake or the 150 reply comes first; do both at once.
        var tls = new SslStream(data, leaveInnerStreamOpen: false);
        var handshake = tls.AuthenticateAsClientAsync(ClientOptions(), cancellationToken);
        await ExpectAsync(Preliminary, cancellationToken);
        await handshake;
        return tls;
    }

    /// <summary>Reads a data connection to its end; returns the byte count.</summary>
    public static async Task<long> DrainAsync(Stream data, byte[] buffer, CancellationToken cancellationToken)
    {
        long total = 0;
        int read;
        while ((read = await data.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
        }

        return total;
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();

    private static SslClientAuthenticationOptions ClientOptions() => new()
    {
        TargetHost = "127.0.0.1",
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        RemoteCertificateValidationCallback = static (_, _, _, _) => true,
    };

    private async Task SecureAsync(CancellationToken cancellationToken)
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(ClientOptions(), cancellationToken);
        _stream = tls;
        Tls = true;
    }

    private Task<string> ReadLineAsync(CancellationToken cancellationToken) => _lines.ReadLineAsync(_stream, cancellationToken);
}
