using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using Gatehouse.Protocol.Access;

namespace Gatehouse.Protocol.DataChannel;

/// <summary>
/// Sends a file to a plain data connection without copying it through user space: the socket layer's
/// SendPackets with a file element, which is sendfile(2) on Linux. The file goes in slices so that STAT sees
/// progress, a throttle can pace it, and ABOR (which closes the socket) stops it between slices.
/// </summary>
internal sealed class ZeroCopySender : SocketAsyncEventArgs, IValueTaskSource
{
    private const int Slice = 4 << 20;
    private const int ThrottledSlice = 128 << 10;
    private ManualResetValueTaskSourceCore<bool> _completion;

    private ZeroCopySender()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>True when the pair allows zero-copy: an OS file and a plain socket stream.</summary>
    public static bool CanSend(Stream file, Stream network) => file is FileStream { CanSeek: true } && network is NetworkStream;

    public static async Task SendAsync(FileStream file, NetworkStream network, TransferProgress progress, TransferThrottle? throttle, CancellationToken cancellationToken)
    {
        using var sender = new ZeroCopySender();
        var slice = throttle is null ? Slice : ThrottledSlice;
        var offset = file.Position;
        var length = file.Length;
        while (offset < length)
        {
            var count = (int)Math.Min(slice, length - offset);
            if (throttle is not null)
            {
                await throttle.WaitAsync(count, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            await sender.SendSliceAsync(network.Socket, file, offset, count).ConfigureAwait(false);
            offset += count;
            progress.Add(count);
        }
    }

    private ValueTask SendSliceAsync(Socket socket, FileStream file, long offset, int count)
    {
        _completion.Reset();
        SendPacketsElements = [new SendPacketsElement(file, offset, count)];
        if (!socket.SendPacketsAsync(this))
        {
            OnCompleted(this);
        }

        return new ValueTask(this, _completion.Version);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        if (SocketError == SocketError.Success)
        {
            _completion.SetResult(true);
        }
        else
        {
            _completion.SetException(new SocketException((int)SocketError));
        }
    }

    void IValueTaskSource.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
