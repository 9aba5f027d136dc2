using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Gatehouse.Protocol.Tls;

/// <summary>
/// Asks OpenSSL to free a connection's record buffers (about 34 KiB) whenever they are empty
/// (<c>SSL_MODE_RELEASE_BUFFERS</c>, as nginx, HAProxy and Python's ssl module do). An idle control connection then
/// holds no record buffers at all. SslStream neither sets the mode nor exposes its <c>SSL*</c>, so the handle is read
/// from its private field, and <c>SSL_ctrl</c> is called in the libssl the runtime itself has loaded. Anything
/// unexpected (another runtime version, another TLS library, no libssl or two of them loaded) leaves the stream as
/// it is: the mode only saves memory.
/// </summary>
public static unsafe partial class OpenSslIdleBuffers
{
    private const int SslCtrlMode = 33;
    private const nint SslModeReleaseBuffers = 0x10;
    private const int RtldLazy = 0x1;
    private const int RtldNoLoad = 0x4;

    private static readonly FieldInfo? SecurityContextField =
        typeof(SslStream).GetField("_securityContext", BindingFlags.Instance | BindingFlags.NonPublic);

    // Resolved at the first use, which follows a handshake: by then the runtime has loaded its libssl.
    private static readonly Lazy<nint> SslCtrl = new(FindLoadedSslCtrl);

    /// <summary>Sets the mode on an authenticated stream; returns whether it is now set.</summary>
    public static bool Release(SslStream stream) =>
        Mode(stream, SslModeReleaseBuffers) is { } mode && (mode & SslModeReleaseBuffers) != 0;

    /// <summary>
    /// <c>SSL_set_mode</c>: adds <paramref name="bits"/> (none: only reads) and returns the mode the connection now
    /// has, or null where the stream's <c>SSL*</c> cannot be reached.
    /// </summary>
    public static nint? Mode(SslStream stream, nint bits = 0)
    {
        if (SecurityContextField?.GetValue(stream) is not SafeHandle ssl
            || ssl.GetType().FullName != "Microsoft.Win32.SafeHandles.SafeSslHandle"
            || SslCtrl.Value == 0)
        {
            return null;
        }

        var added = false;
        try
        {
            ssl.DangerousAddRef(ref added);
            return ((delegate* unmanaged<nint, int, nint, nint, nint>)SslCtrl.Value)(
                ssl.DangerousGetHandle(), SslCtrlMode, bits, 0);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                ssl.DangerousRelease();
            }
        }
    }

    private static nint FindLoadedSslCtrl()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        try
        {
            // Only a libssl already in the process (RTLD_NOLOAD): loading another copy would hand its SSL_ctrl a
            // pointer from a different library. Exactly one must be loaded.
            var loaded = new[] { "libssl.so.3", "libssl.so.1.1" }
                .Select(name => dlopen(name, RtldLazy | RtldNoLoad))
                .Where(handle => handle != 0)
                .ToArray();
            return loaded.Length == 1 && NativeLibrary.TryGetExport(loaded[0], "SSL_ctrl", out var export)
                ? export
                : 0;
        }
        catch (Exception failure) when (failure is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlopen(string file, int mode);
}
