using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>A bare control connection for protocol-level checks (plain FTP), optionally from a chosen loopback source address.</summary>
public sealed class RawControl : IDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly NetworkStream _stream;

    private RawControl(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    public static async Task<RawControl> ConnectAsync(IPEndPoint server, IPAddress? from = null)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(server, timeout.Token);
        return new RawControl(socket);
    }

    /// <summary>Reads one reply, multi-line included; returns its full text ("" when the server closed or reset the connection).</summary>
    public async Task<string> ReadReplyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        string? first;
        try
        {
            first = await _reader.ReadLineAsync(timeout.Token);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return string.Empty;
        }

        if (first is null)
        {
            return string.Empty;
        }

        var text = new StringBuilder(first);
        if (first.Length > 3 && first[3] == '-')
        {
            var end = first[..3] + " ";
            string? line;
            while ((line = await _reader.ReadLineAsync(timeout.Token)) is not null)
            {
                text.Append('\n').Append(line);
                if (line.StartsWith(end, StringComparison.Ordinal))
                {
                    break;
                }
            }
        }

        return text.ToString();
    }

    public Socket Socket => _socket;

    /// <summary>Bytes as they are, before or between commands (a PROXY protocol header).</summary>
    public async Task SendRawAsync(string text) => await _stream.WriteAsync(Encoding.Latin1.GetBytes(text));

    public async Task<string> CommandAsync(string line)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
        return await ReadReplyAsync();
    }

    public async Task LoginAsync(string user = "alice", string password = GatehouseServer.Password)
    {
        Assert.StartsWith("220", await ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("331", await CommandAsync($"USER {user}"), StringComparison.Ordinal);
        Assert.StartsWith("230", await CommandAsync($"PASS {password}"), StringComparison.Ordinal);
    }

    public void Dispose() => _stream.Dispose();
}
