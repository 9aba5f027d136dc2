using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Accounts.Ldap;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Hosting;

/// <summary>Builds the LDAP directory from validated Ldap options, for the server and for 'gatehouse ldap test'.</summary>
internal static partial class DirectorySetup
{
    public static LdapDirectory CreateDirectory(LdapOptions ldap)
    {
        var password = string.IsNullOrWhiteSpace(ldap.BindPasswordFile)
            ? ldap.BindPassword
            : File.ReadAllText(ldap.BindPasswordFile).TrimEnd('\r', '\n');
        return new LdapDirectory(ldap, password);
    }

    /// <returns>Null when Ldap:Enabled is false.</returns>
    public static DirectoryLogin? CreateLogin(LdapOptions ldap, DataPaths paths, IAccountStore accounts, IAccessStore access, TimeProvider time, ILoggerFactory loggers)
    {
        if (!ldap.Enabled)
        {
            return null;
        }

        var logger = loggers.CreateLogger("Gatehouse.Ldap");
        var directory = CreateDirectory(ldap);
        LogDirectory(logger, directory.Address, ldap.UsesServiceAccount ? $"search-then-bind as {ldap.BindDn}" : $"direct bind as {ldap.UserDnTemplate}", ldap.GroupMappings.Count);
        if (directory.NativeTimeoutProblem is { } problem)
        {
            LogNoNativeTimeouts(logger, problem);
        }

        return new DirectoryLogin(directory, new DirectoryGroupMap(ldap.GroupMappings), ldap.AllowUnmappedUsers, accounts, access, paths.DefaultHome, time, logger);
    }

    [LoggerMessage(73, LogLevel.Information, "LDAP logins through {Address}, {Mode}, {Mappings} group mappings")]
    private static partial void LogDirectory(ILogger logger, string address, string mode, int mappings);

    [LoggerMessage(74, LogLevel.Warning, "Could not set libldap's network time-outs ({Problem}); a directory that stops answering may hold a thread per login, though each client still gets its answer within Ldap:TimeoutSeconds")]
    private static partial void LogNoNativeTimeouts(ILogger logger, string problem);
}
