using System.Runtime.InteropServices;

namespace Gatehouse.Accounts.Ldap;

/// <summary>
/// Sets libldap's process-wide connect and synchronous-operation time-outs. On Linux, System.DirectoryServices.Protocols
/// binds through a synchronous libldap call that ignores LdapConnection.Timeout, so a directory that accepts the
/// connection and never answers would hold a thread forever. New connections inherit these global defaults.
/// </summary>
internal static class LdapNativeTimeouts
{
    private const int OptionTimeout = 0x5002;
    private const int OptionNetworkTimeout = 0x5005;

    // The names System.DirectoryServices.Protocols itself tries, in its order, so both use the same loaded library.
    private static readonly string[] LibraryNames = ["libldap.so.2", "libldap-2.6.so.0", "libldap-2.5.so.0", "libldap-2.4.so.2"];

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetOption(IntPtr handle, int option, ref TimeValue value);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeValue
    {
        public nint Seconds;
        public nint Microseconds;
    }

    /// <returns>Null when set, otherwise why not (the caller's own time-out still bounds every login).</returns>
    public static string? TrySet(TimeSpan timeout)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        foreach (var name in LibraryNames)
        {
            if (!NativeLibrary.TryLoad(name, out var library))
            {
                continue;
            }

            if (!NativeLibrary.TryGetExport(library, "ldap_set_option", out var export))
            {
                return $"{name} has no ldap_set_option";
            }

            var set = Marshal.GetDelegateForFunctionPointer<SetOption>(export);
            var value = new TimeValue { Seconds = (nint)Math.Max(1, Math.Ceiling(timeout.TotalSeconds)) };
            var operation = set(IntPtr.Zero, OptionTimeout, ref value);
            var network = set(IntPtr.Zero, OptionNetworkTimeout, ref value);
            return operation == 0 && network == 0 ? null : $"ldap_set_option returned {operation}/{network}";
        }

        return "libldap is not installed (Debian: apt-get install libldap-2.5-0 or libldap2)";
    }
}
