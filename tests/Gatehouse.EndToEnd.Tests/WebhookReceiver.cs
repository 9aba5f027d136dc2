using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// A small HTTP/1.1 server on loopback that records every request a webhook makes and answers with the status the
/// test chooses (or not at all, to hold a delivery in flight).
/// </summary>
public sealed class WebhookReceiver : LoopbackTcpServer
{
    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";

    /// <summary>The status of the next answers; null: read the request and never answer.</summary>
    public Func<Request, int?> Answer { get; set; } = _ => 200;

    public ConcurrentQueue<Request> Requests { get; } = new();

    public async Task<bool> WaitForAsync(Func<IReadOnlyCollection<Request>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition(Requests))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition(Requests);
    }

    protected override async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await stream.ReadAsync(one, Stopping) == 0)
                {
                    return;
                }

                head.Append((char)one[0]);
            }

            var lines = head.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            var headers = lines.Skip(1).Select(line => line.Split(':', 2)).ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
            var body = new byte[int.Parse(headers.GetValueOrDefault("Content-Length", "0"), System.Globalization.CultureInfo.InvariantCulture)];
            await stream.ReadExactlyAsync(body, Stopping);
            var request = new Request(lines[0], headers, body);
            Requests.Enqueue(request);
            if (Answer(request) is not { } status)
            {
                await Task.Delay(Timeout.Infinite, Stopping);
                return;
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), Stopping);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
            // The test ended or the server went away (killed).
        }
    }

    public sealed record Request(string RequestLine, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string Text => Encoding.UTF8.GetString(Body);

        public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;
    }
}
