using System.DirectoryServices.Protocols;
using System.Net;

namespace Gatehouse.Accounts.Ldap;

/// <summary>
/// Verifies users against an LDAP directory or Active Directory, with a service account (search, then bind as the
/// user) or by binding directly as the user. Every call answers within Ldap:TimeoutSeconds: the blocking library
/// calls run on a pool thread, and at most <see cref="MaxPendingCalls"/> may be outstanding at once.
/// </summary>
public sealed class LdapDirectory : IUserDirectory
{
    public const int MaxPendingCalls = 16;
    private const int InvalidCredentials = 49;
    private const int ServerDown = 81;
    private const int Timeout = 85;
    private const int ConnectError = 91;

    private readonly LdapOptions _options;
    private readonly string? _servicePassword;
    private readonly TimeSpan _timeout;
    private int _pending;

    /// <param name="servicePassword">Ldap:BindPassword, or the contents of Ldap:BindPasswordFile.</param>
    public LdapDirectory(LdapOptions options, string? servicePassword)
    {
        _options = options;
        _servicePassword = servicePassword;
        _timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        NativeTimeoutProblem = LdapNativeTimeouts.TrySet(_timeout);
    }

    public string Address => _options.Address;

    /// <summary>Why libldap's own time-outs could not be set (null when they were).</summary>
    public string? NativeTimeoutProblem { get; }

    public async Task<DirectoryVerification> VerifyAsync(string name, string password, CancellationToken cancellationToken)
    {
        if (password.Length == 0 || password.Contains('\0', StringComparison.Ordinal))
        {
            // An empty simple-bind password is an anonymous bind, which most directories accept (RFC 4513 5.1.2).
            return DirectoryVerification.Failed(DirectoryOutcome.WrongPassword, "empty password");
        }

        if (Interlocked.Increment(ref _pending) > MaxPendingCalls)
        {
            Interlocked.Decrement(ref _pending);
            return DirectoryVerification.Failed(DirectoryOutcome.Unavailable, $"{MaxPendingCalls} earlier requests to {Address} are still unanswered");
        }

        var call = Task.Run(() =>
        {
            try
            {
                return Verify(name, password);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }, CancellationToken.None);
        try
        {
            return await call.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return DirectoryVerification.Failed(DirectoryOutcome.Unavailable, $"{Address} did not answer within {_options.TimeoutSeconds} s (Ldap:TimeoutSeconds)");
        }
    }

    private DirectoryVerification Verify(string name, string password)
    {
        try
        {
            return _options.UsesServiceAccount ? SearchThenBind(name, password) : BindAsUser(name, password);
        }
        catch (LdapException e)
        {
            return Unavailable($"{e.Message} (LDAP error {e.ErrorCode}{Server(e.ServerErrorMessage)})");
        }
        catch (DirectoryOperationException e)
        {
            return Unavailable($"{e.Message} (result {e.Response?.ResultCode}{Server(e.Response?.ErrorMessage)})");
        }
        catch (DllNotFoundException e)
        {
            return Unavailable($"the LDAP client library is missing ({e.Message}); install libldap (Debian: apt-get install libldap-2.5-0 or libldap2)");
        }
    }

    private DirectoryVerification SearchThenBind(string name, string password)
    {
        using var service = Open();
        try
        {
            service.Bind(new NetworkCredential(_options.BindDn, _servicePassword));
        }
        catch (LdapException e) when (e.ErrorCode == InvalidCredentials)
        {
            return Unavailable($"the service account {_options.BindDn} was refused; check Ldap:BindDn and Ldap:BindPassword");
        }

        var entries = FindUser(service, name);
        if (entries.Count == 0)
        {
            return DirectoryVerification.Failed(DirectoryOutcome.UnknownUser, $"no entry under {_options.UserSearchBase} matches {UserFilter(name)}");
        }

        if (entries.Count > 1)
        {
            return Unavailable($"{entries.Count} entries match {UserFilter(name)}; make Ldap:UserFilter match one entry per user");
        }

        var entry = entries[0];
        using (var user = Open())
        {
            if (!TryBind(user, entry.DistinguishedName, password))
            {
                return DirectoryVerification.Failed(DirectoryOutcome.WrongPassword, $"the directory refused the password of {entry.DistinguishedName}");
            }
        }

        return Verified(service, entry, name);
    }

    private DirectoryVerification BindAsUser(string name, string password)
    {
        var bindName = _options.UserDnTemplate!.Replace(LdapOptions.UserPlaceholder, LdapEscaping.DnValue(name), StringComparison.Ordinal);
        using var connection = Open();
        if (!TryBind(connection, bindName, password))
        {
            // The directory does not say whether the name or the password was wrong.
            return DirectoryVerification.Failed(DirectoryOutcome.WrongPassword, $"bind as {bindName} refused (unknown user or wrong password)");
        }

        var entries = string.IsNullOrWhiteSpace(_options.UserSearchBase)
            ? Search(connection, bindName, SearchScope.Base, "(objectClass=*)")
            : FindUser(connection, name);
        return entries.Count == 1
            ? Verified(connection, entries[0], name)
            : Unavailable($"bound as {bindName} but found {entries.Count} entries for the user; check Ldap:UserSearchBase and Ldap:UserFilter, and that users may read their own entry");
    }

    private DirectoryVerification Verified(LdapConnection connection, SearchResultEntry entry, string name)
    {
        List<string> groups;
        if (string.IsNullOrWhiteSpace(_options.GroupSearchBase))
        {
            groups = entry.Attributes.Contains(_options.GroupAttribute)
                ? [.. entry.Attributes[_options.GroupAttribute].GetValues(typeof(string)).Cast<string>()]
                : [];
        }
        else
        {
            var filter = _options.GroupFilter
                .Replace("{0}", LdapEscaping.FilterValue(entry.DistinguishedName), StringComparison.Ordinal)
                .Replace("{1}", LdapEscaping.FilterValue(name), StringComparison.Ordinal);
            groups = [.. Search(connection, _options.GroupSearchBase, SearchScope.Subtree, filter, "cn").Select(group => group.DistinguishedName)];
        }

        return new DirectoryVerification(DirectoryOutcome.Verified, entry.DistinguishedName, groups, entry.DistinguishedName);
    }

    private List<SearchResultEntry> FindUser(LdapConnection connection, string name) =>
        Search(connection, _options.UserSearchBase!, SearchScope.Subtree, UserFilter(name));

    private string UserFilter(string name) =>
        _options.UserFilter.Replace(LdapOptions.UserPlaceholder, LdapEscaping.FilterValue(name), StringComparison.Ordinal);

    private List<SearchResultEntry> Search(LdapConnection connection, string searchBase, SearchScope scope, string filter, params string[] attributes)
    {
        var request = new SearchRequest(searchBase, filter, scope, attributes.Length > 0 ? attributes : [_options.GroupAttribute])
        {
            TimeLimit = _timeout,
        };
        var response = (SearchResponse)connection.SendRequest(request, _timeout);
        return [.. response.Entries.Cast<SearchResultEntry>()];
    }

    private static bool TryBind(LdapConnection connection, string name, string password)
    {
        try
        {
            connection.Bind(new NetworkCredential(name, password));
            return true;
        }
        catch (LdapException e) when (e.ErrorCode == InvalidCredentials)
        {
            return false;
        }
    }

    private LdapConnection Open()
    {
        var connection = new LdapConnection(new LdapDirectoryIdentifier(_options.Server, _options.EffectivePort, fullyQualifiedDnsHostName: true, connectionless: false))
        {
            AuthType = AuthType.Basic,
            AutoBind = false,
            Timeout = _timeout,
        };
        try
        {
            var session = connection.SessionOptions;
            session.ProtocolVersion = 3;
            session.ReferralChasing = ReferralChasingOptions.None;
            if (!string.IsNullOrWhiteSpace(_options.TrustedCertificatesDirectory) && OperatingSystem.IsLinux())
            {
                session.TrustedCertificatesDirectory = _options.TrustedCertificatesDirectory;
                session.StartNewTlsSessionContext();
            }

            if (_options.Security == LdapSecurity.Ldaps)
            {
                session.SecureSocketLayer = true;
            }
            else if (_options.Security == LdapSecurity.StartTls)
            {
                if (OperatingSystem.IsLinux())
                {
                    // On Linux the library connects only on the first operation, and StartTLS before that fails
                    // (dotnet/runtime#56619). An anonymous bind connects without sending anything secret.
                    connection.AuthType = AuthType.Anonymous;
                    try
                    {
                        connection.Bind();
                    }
                    catch (LdapException e) when (e.ErrorCode is not (ServerDown or Timeout or ConnectError))
                    {
                        // A directory that refuses anonymous binds has still answered: the connection is up.
                    }

                    connection.AuthType = AuthType.Basic;
                }

                session.StartTransportLayerSecurity(null);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private DirectoryVerification Unavailable(string detail) => DirectoryVerification.Failed(DirectoryOutcome.Unavailable, $"{Address}: {detail}");

    private static string Server(string? message) => string.IsNullOrWhiteSpace(message) ? string.Empty : $": {message.Trim()}";
}
