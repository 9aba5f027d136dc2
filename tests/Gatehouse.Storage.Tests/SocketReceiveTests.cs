using System.Net;
using System.Net.Sockets;
using Gatehouse.Storage.Local;
using Gatehouse.Storage.Quotas;

namespace Gatehouse.Storage.Tests;

/// <summary>An upload's content taken straight from a socket (splice on Linux) ends up byte for byte as written.</summary>
public sealed class SocketReceiveTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("gatehouse-splice-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private static VirtualPath P(string path)
    {
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, path, out var result, out var error), error);
        return result;
    }

    private static async Task<(Socket Sender, Socket Receiver)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await sender.ConnectAsync(listener.LocalEndPoint!);
        var receiver = await listener.AcceptAsync();
        receiver.Blocking = false;
        return (sender, receiver);
    }

    /// <summary>Sends <paramref name="payload"/> and closes, while the receiver moves it into <paramref name="content"/>.</summary>
    private static async Task<List<int>> ReceiveAllAsync(byte[] payload, Stream content)
    {
        var receiver = Assert.IsAssignableFrom<ISocketReceiver>(content);
        Assert.True(receiver.CanReceive);
        var (sender, socket) = await ConnectedPairAsync();
        using (socket)
        {
            var sending = Task.Run(async () =>
            {
                using (sender)
                {
                    for (var offset = 0; offset < payload.Length; offset += 300_000)
                    {
                        await sender.SendAsync(payload.AsMemory(offset, Math.Min(300_000, payload.Length - offset)));
                    }

                    sender.Shutdown(SocketShutdown.Send);
                }
            });
            var admitted = new List<int>();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var moved = receiver.ReceiveFrom(socket, 1 << 20, admitted.Add);
                if (moved is null)
                {
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, limit.Token);
                    continue;
                }

                if (moved == 0)
                {
                    break;
                }

                Assert.Equal(moved.Value, admitted[^1]);
            }

            await sending;
            return admitted;
        }
    }

    [Fact]
    public async Task An_upload_received_from_a_socket_is_stored_byte_for_byte_after_what_was_written_before()
    {
        var payload = new byte[5_000_000];
        Random.Shared.NextBytes(payload);
        var fs = new LocalFileSystem(_home);

        await using var upload = await fs.BeginUploadAsync(P("/big.bin"), 0, default);
        await upload.Content.WriteAsync(payload.AsMemory(0, 1000));
        var admitted = await ReceiveAllAsync(payload[1000..], upload.Content);
        await upload.Content.WriteAsync(new byte[] { 42 });
        await upload.CommitAsync(default);

        Assert.Equal(payload.Length - 1000, admitted.Sum());
        var stored = await File.ReadAllBytesAsync(Path.Combine(_home, "big.bin"));
        Assert.Equal([.. payload, 42], stored);
    }

    [Fact]
    public async Task A_resumed_upload_received_from_a_socket_continues_the_kept_bytes()
    {
        var payload = new byte[2_000_000];
        Random.Shared.NextBytes(payload);
        await File.WriteAllBytesAsync(Path.Combine(_home, "part.bin"), payload[..700_000]);
        var fs = new LocalFileSystem(_home);

        await using var upload = await fs.BeginUploadAsync(P("/part.bin"), 700_000, default);
        await ReceiveAllAsync(payload[700_000..], upload.Content);
        await upload.CommitAsync(default);

        Assert.Equal(payload, await File.ReadAllBytesAsync(Path.Combine(_home, "part.bin")));
    }

    [Fact]
    public async Task A_quota_stops_an_upload_received_from_a_socket_before_its_bytes_pass_the_limit()
    {
        var ledger = new QuotaLedger("user:t", "your home", () => UsageScanner.Scan(_home), new QuotaTests.MemoryUsageStore());
        var fs = new QuotaFileSystem(new LocalFileSystem(_home), ledger, new QuotaLimits(1_000_000, null));
        var payload = new byte[3_000_000];

        await using var upload = await fs.BeginUploadAsync(P("/too-big.bin"), 0, default);
        var refused = await Assert.ThrowsAsync<FileSystemException>(() => ReceiveAllAsync(payload, upload.Content));

        Assert.Equal(FileSystemError.QuotaExceeded, refused.Error);
        Assert.True(upload.Content.Length <= 1_000_000, $"{upload.Content.Length} bytes reached the file");
    }

    [Fact]
    public async Task Receiving_from_a_non_blocking_socket_that_holds_nothing_returns_at_once()
    {
        var fs = new LocalFileSystem(_home);
        await using var upload = await fs.BeginUploadAsync(P("/idle.bin"), 0, default);
        var receiver = Assert.IsAssignableFrom<ISocketReceiver>(upload.Content);
        Assert.True(receiver.CanReceive);
        var (sender, socket) = await ConnectedPairAsync();
        using (sender)
        using (socket)
        {
            Assert.Null(receiver.ReceiveFrom(socket, 1 << 20));
        }
    }
}
