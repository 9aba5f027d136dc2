using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Protocol.Access;
using Gatehouse.Protocol.Logging;
using Gatehouse.Protocol.Server;
using Gatehouse.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Protocol.Sessions;

/// <summary>Who is logged in on a session: the account in its state, the user in its log lines, and its place in the per-user session count.</summary>
internal sealed class SessionLogin(SessionState state, SessionLogScope scope, ConnectionSlot? slot, ILogger logger)
{
    private IUserSessionTicket? _ticket;

    public void Complete(Account account, AccessPolicy policy, IFileSystem fileSystem, IUserSessionTicket ticket)
    {
        _ticket = ticket;
        state.Account = account;
        state.Policy = policy;
        state.FileSystem = fileSystem;
        state.PendingUser = null;
        state.FailedLogins = 0;
        state.CurrentDirectory = VirtualPath.Root;
        scope.User = account.Name;
        slot?.LoggedIn();
        Log.LoginSucceeded(logger);
    }

    /// <summary>REIN: back to the state of a new connection.</summary>
    public async Task LogoutAsync()
    {
        await GiveBackTicketAsync().ConfigureAwait(false);
        state.Reset();
        scope.User = null;
        slot?.LoggedOut();
    }

    public async Task GiveBackTicketAsync()
    {
        if (Interlocked.Exchange(ref _ticket, null) is { } ticket)
        {
            await ticket.LeaveAsync().ConfigureAwait(false);
        }
    }
}
