using Gatehouse.Accounts;
using Gatehouse.Accounts.Access;
using Gatehouse.Storage;
using Gatehouse.Storage.Access;
using Gatehouse.Storage.Local;
using Gatehouse.Storage.Quotas;
using Gatehouse.Storage.Virtual;

namespace Gatehouse.Protocol.Access;

/// <summary>
/// Builds what a logged-in user sees: the home and each mounted folder on disk, each behind its quota ledger,
/// joined into one tree, with the user's per-path permissions enforced in front of everything. With resume-uploads on,
/// the user's interrupted new uploads are kept, hidden, under names only this user's uploads look for.
/// </summary>
/// <param name="syncUploads">Storage:SyncUploads.</param>
public sealed class UserFileSystemFactory(QuotaLedgers ledgers, bool syncUploads)
{
    public IFileSystem Create(Account account, AccessPolicy policy)
    {
        var resumingUser = policy.ResumeUploads ? account.Name : null;
        var home = new LocalFileSystem(account.HomeDirectory, syncUploads, resumingUser);
        var homeLedger = ledgers.For(QuotaLedgers.HomeArea(account.Name), "your home", account.HomeDirectory);
        var mounts = policy.Mounts.Select(mount => new Mount(
            mount.At,
            new QuotaFileSystem(
                new LocalFileSystem(mount.Folder.Path, syncUploads, resumingUser),
                ledgers.For(QuotaLedgers.FolderArea(mount.Folder.Name), $"the folder {mount.At}", mount.Folder.Path),
                mount.Quota),
            mount.ReadOnly,
            mount.Folder.Name));
        var tree = new VirtualFileSystem(new QuotaFileSystem(home, homeLedger, policy.Quota), mounts);
        return new GuardedFileSystem(tree, policy.Permissions);
    }
}
