using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>A minimal SMTP server on loopback (no TLS, no login) that keeps each message's envelope and data.</summary>
public sealed class SmtpReceiver : LoopbackTcpServer
{
    /// <summary>Each message: the MAIL FROM and RCPT TO lines, then the data.</summary>
    public ConcurrentQueue<string> Messages { get; } = new();

    protected override async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 test SMTP");
            var envelope = new StringBuilder();
            while (await reader.ReadLineAsync(Stopping) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO" or "HELO":
                        await writer.WriteLineAsync("250 test");
                        break;
                    case "MAIL" or "RCPT":
                        envelope.AppendLine(line);
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 go on");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(Stopping) is { } dataLine && dataLine != ".")
                        {
                            data.AppendLine(dataLine);
                        }

                        Messages.Enqueue(envelope + data.ToString());
                        envelope.Clear();
                        await writer.WriteLineAsync("250 queued as test");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 OK");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
            // The test ended or the client went away.
        }
    }
}
