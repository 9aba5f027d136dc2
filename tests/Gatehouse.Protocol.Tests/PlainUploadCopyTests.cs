using System.Net;
using System.Net.Sockets;
using Gatehouse.Protocol.DataChannel;
using Gatehouse.Storage;
using Gatehouse.Storage.Local;

namespace Gatehouse.Protocol.Tests;

/// <summary>
/// A plain binary upload copied from its data socket into a file (spliced on Linux): what had arrived before the copy
/// started is taken at once, the rest is waited for, and the file holds the bytes exactly, whichever way they came.
/// </summary>
public sealed class PlainUploadCopyTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _home = Directory.CreateTempSubdirectory("gatehouse-copy-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task An_upload_that_arrived_and_ended_before_the_copy_started_is_stored_whole()
    {
        var payload = Payload(4096);
        var (sender, receiver) = await ConnectedPairAsync();
        await sender.SendAsync(payload);
        sender.Shutdown(SocketShutdown.Send);
        await Task.Delay(50);

        var (stored, counted) = await CopyAsync(receiver, Task.CompletedTask);
        sender.Dispose();

        Assert.Equal(payload, stored);
        Assert.Equal(payload.Length, counted);
    }

    [Fact]
    public async Task An_upload_that_pauses_after_its_first_bytes_is_waited_for_and_stored_whole()
    {
        var payload = Payload(3_000_000);
        var (sender, receiver) = await ConnectedPairAsync();
        await sender.SendAsync(payload.AsMemory(0, 10_000));
        await Task.Delay(50);
        var rest = Task.Run(async () =>
        {
            await Task.Delay(200);
            await sender.SendAsync(payload.AsMemory(10_000));
            sender.Shutdown(SocketShutdown.Send);
        });

        var (stored, counted) = await CopyAsync(receiver, rest);
        sender.Dispose();

        Assert.Equal(payload, stored);
        Assert.Equal(payload.Length, counted);
    }

    [Fact]
    public async Task An_upload_larger_than_what_is_taken_at_once_is_stored_whole()
    {
        var payload = Payload(12_000_000);
        var (sender, receiver) = await ConnectedPairAsync();
        var sending = Task.Run(async () =>
        {
            await sender.SendAsync(payload);
            sender.Shutdown(SocketShutdown.Send);
        });

        var (stored, counted) = await CopyAsync(receiver, sending);
        sender.Dispose();

        Assert.Equal(payload, stored);
        Assert.Equal(payload.Length, counted);
    }

    private async Task<(byte[] Stored, long Counted)> CopyAsync(Socket receiver, Task sending)
    {
        var fs = new LocalFileSystem(_home);
        var progress = new TransferProgress();
        using var limit = new CancellationTokenSource(Bound);
        await using (var network = new NetworkStream(receiver, ownsSocket: true))
        await using (var upload = await fs.BeginUploadAsync(Root("/up.bin"), 0, limit.Token))
        {
            Assert.True(upload.Content is ISocketReceiver { CanReceive: true }, "the file system here takes splices");
            await TransferCopier.CopyToLocalAsync(network, upload.Content, ascii: false, progress, throttle: null, digest: null, limit.Token);
            await upload.CommitAsync(limit.Token);
        }

        await sending.WaitAsync(limit.Token);
        return (await File.ReadAllBytesAsync(Path.Combine(_home, "up.bin"), limit.Token), progress.Bytes);
    }

    private static byte[] Payload(int length)
    {
        var payload = new byte[length];
        Random.Shared.NextBytes(payload);
        return payload;
    }

    private static VirtualPath Root(string path)
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
        return (sender, await listener.AcceptAsync());
    }
}
