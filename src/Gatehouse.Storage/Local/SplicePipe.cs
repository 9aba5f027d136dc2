using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gatehouse.Storage.Local;

/// <summary>
/// A kernel pipe that carries an upload from its data socket to its file with two splice(2) calls: the socket's
/// received pages move into the pipe by reference, and from it are copied once, into the file's page cache. A read and
/// a write through user memory copy every byte twice.
/// </summary>
internal sealed partial class SplicePipe : IDisposable
{
    private const int Capacity = 1 << 20;
    private const int CloseOnExecAndNonBlocking = 0x80000 | 0x800; // O_CLOEXEC | O_NONBLOCK
    private const int SetPipeSize = 1031; // F_SETPIPE_SZ
    private const uint Move = 1; // SPLICE_F_MOVE
    private const uint NonBlocking = 2; // SPLICE_F_NONBLOCK
    private const int WouldBlock = 11; // EAGAIN
    private const int Interrupted = 4; // EINTR

    private readonly PipeEnd _source;
    private readonly PipeEnd _sink;

    private SplicePipe(PipeEnd source, PipeEnd sink)
    {
        _source = source;
        _sink = sink;
    }

    /// <summary>The most one <see cref="Fill"/> takes.</summary>
    public int Size { get; private init; }

    /// <summary>A new pipe, or null where the system has none to splice through.</summary>
    public static SplicePipe? TryCreate()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<int> ends = stackalloc int[2];
        try
        {
            if (pipe2(ends, CloseOnExecAndNonBlocking) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        var source = new PipeEnd(ends[0]);
        var sink = new PipeEnd(ends[1]);

        // Beyond the per-user pipe budget (fs.pipe-user-pages-soft) the kernel refuses to grow it: then it keeps its
        // default 64 KiB, which costs more calls per MiB, not correctness.
        var size = fcntl(sink, SetPipeSize, Capacity);
        return new SplicePipe(source, sink) { Size = size > 0 ? size : 64 << 10 };
    }

    /// <summary>Moves up to <paramref name="maximum"/> received bytes of <paramref name="socket"/> into the empty pipe, without waiting.</summary>
    /// <returns>The bytes moved; 0 at the end of the stream; null when none are waiting.</returns>
    public int? Fill(SafeHandle socket, int maximum)
    {
        while (true)
        {
            var moved = splice(socket, IntPtr.Zero, _sink, IntPtr.Zero, Math.Min(maximum, Size), Move | NonBlocking);
            if (moved >= 0)
            {
                return (int)moved;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error == WouldBlock)
            {
                return null;
            }

            if (error != Interrupted)
            {
                // Not an IOException carrying the errno: that would read as a storage condition (EACCES, ENOSPC, ...).
                throw new IOException($"The data connection failed: {Marshal.GetPInvokeErrorMessage(error)}.");
            }
        }
    }

    /// <summary>Writes the pipe's <paramref name="count"/> bytes to <paramref name="file"/> at <paramref name="offset"/>, advancing it.</summary>
    /// <returns>What is left in the pipe: more than 0 only when the file system cannot take a splice (EINVAL); read it out with <see cref="Read"/>.</returns>
    public int Drain(SafeFileHandle file, ref long offset, int count)
    {
        while (count > 0)
        {
            var written = splice(_source, IntPtr.Zero, file, ref offset, count, Move);
            if (written > 0)
            {
                count -= (int)written;
                continue;
            }

            var error = Marshal.GetLastPInvokeError();
            if (written < 0 && error == Interrupted)
            {
                continue;
            }

            if (written < 0 && error == NativeFileApi.InvalidArgument)
            {
                return count;
            }

            // The errno travels as the HResult, as .NET's own file errors do, so ENOSPC reads as "not enough space".
            throw new IOException(written == 0 ? "The file took no bytes from the upload's pipe." : Marshal.GetPInvokeErrorMessage(error), written == 0 ? 0 : error);
        }

        return 0;
    }

    /// <summary>Reads bytes out of the pipe into <paramref name="buffer"/>; the way out when the file system refuses a splice.</summary>
    public int Read(Span<byte> buffer)
    {
        var count = read(_source, ref MemoryMarshal.GetReference(buffer), buffer.Length);
        return count >= 0 ? (int)count : throw new IOException(Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
    }

    public void Dispose()
    {
        _source.Dispose();
        _sink.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int pipe2(Span<int> ends, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(PipeEnd fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint splice(SafeHandle fdIn, IntPtr offsetIn, SafeHandle fdOut, IntPtr offsetOut, nint length, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint splice(SafeHandle fdIn, IntPtr offsetIn, SafeHandle fdOut, ref long offsetOut, nint length, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(PipeEnd fd, ref byte buffer, nint count);

    private sealed class PipeEnd : SafeHandleZeroOrMinusOneIsInvalid
    {
        public PipeEnd()
            : base(ownsHandle: true)
        {
        }

        public PipeEnd(int fd)
            : base(ownsHandle: true) => SetHandle(fd);

        protected override bool ReleaseHandle() => NativeFileApi.close(handle) == 0;
    }
}
