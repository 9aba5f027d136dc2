using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Gatehouse.Protocol.Tls;

/// <summary>
/// The OpenSSL connection (<c>SSL*</c>) behind an <see cref="SslStream"/>, for the few per-connection settings that
/// .NET does not expose. SslStream keeps its handle in a private field, and the functions are taken from the libssl
/// the runtime itself has loaded. Anything unexpected (another runtime version, another TLS library, no libssl or
/// two of them loaded) makes every call here answer null and leaves the stream as it is.
/// </summary>
internal static unsafe partial class OpenSslNative
{
    private const int RtldLazy = 0x1;
    private const int RtldNoLoad = 0x4;

    private static readonly FieldInfo? SecurityContextField =
        typeof(SslStream).GetField("_securityContext", BindingFlags.Instance | BindingFlags.NonPublic);

    // Resolved at the first use, which follows a handshake: by then the runtime has loaded its libssl.
    private static readonly Lazy<nint> LoadedLibrary = new(FindLoadedLibssl);

    /// <summary>The address of a libssl function, or 0 where there is no single loaded libssl or it lacks the function.</summary>
    public static nint Export(string name) =>
        LoadedLibrary.Value != 0 && NativeLibrary.TryGetExport(LoadedLibrary.Value, name, out var export) ? export : 0;

    /// <summary>
    /// Runs <paramref name="call"/> with the stream's <c>SSL*</c>, kept alive for the call's duration; null where the
    /// stream has no connection (not authenticated yet, disposed) or it cannot be reached.
    /// </summary>
    public static T? WithConnection<T>(SslStream stream, Func<nint, T> call) where T : struct
    {
        if (SecurityContextField?.GetValue(stream) is not SafeHandle ssl
            || ssl.GetType().FullName != "Microsoft.Win32.SafeHandles.SafeSslHandle"
            || LoadedLibrary.Value == 0)
        {
            return null;
        }

        var added = false;
        try
        {
            ssl.DangerousAddRef(ref added);
            return call(ssl.DangerousGetHandle());
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

    private static nint FindLoadedLibssl()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        try
        {
            // Only a libssl already in the process (RTLD_NOLOAD): loading another copy would hand its functions
            // pointers from a different library. Exactly one must be loaded.
            var loaded = new[] { "libssl.so.3", "libssl.so.1.1" }
                .Select(name => dlopen(name, RtldLazy | RtldNoLoad))
                .Where(handle => handle != 0)
                .ToArray();
            return loaded.Length == 1 ? loaded[0] : 0;
        }
        catch (Exception failure) when (failure is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlopen(string file, int mode);
}
