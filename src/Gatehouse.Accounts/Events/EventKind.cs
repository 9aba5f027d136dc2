namespace Gatehouse.Accounts.Events;

/// <summary>What happened. <see cref="PreUpload"/> is not an event but the check a rule runs before an upload is published.</summary>
public enum EventKind
{
    Upload,
    UploadFailed,

    /// <summary>An interrupted upload kept hidden so that it can be resumed.</summary>
    UploadPartialKept,

    /// <summary>The check before publication refused an upload.</summary>
    UploadRejected,
    Download,
    Delete,
    Rename,
    Mkdir,
    Rmdir,
    Login,
    LoginFailed,
    Ban,
    QuotaExceeded,
    Schedule,
    PreUpload,
}

/// <summary>The names of <see cref="EventKind"/> on the command line, in rules and in webhook documents.</summary>
public static class EventKinds
{
    private static readonly (EventKind Kind, string Name)[] Names =
    [
        (EventKind.Upload, "upload"),
        (EventKind.UploadFailed, "upload-failed"),
        (EventKind.UploadPartialKept, "upload-partial-kept"),
        (EventKind.UploadRejected, "upload-rejected"),
        (EventKind.Download, "download"),
        (EventKind.Delete, "delete"),
        (EventKind.Rename, "rename"),
        (EventKind.Mkdir, "mkdir"),
        (EventKind.Rmdir, "rmdir"),
        (EventKind.Login, "login"),
        (EventKind.LoginFailed, "login-failed"),
        (EventKind.Ban, "ban"),
        (EventKind.QuotaExceeded, "quota-exceeded"),
        (EventKind.Schedule, "schedule"),
        (EventKind.PreUpload, "pre-upload"),
    ];

    public static IEnumerable<string> All => Names.Select(entry => entry.Name);

    public static string Name(this EventKind kind) => Names.First(entry => entry.Kind == kind).Name;

    public static bool TryParse(string? text, out EventKind kind)
    {
        foreach (var (candidate, name) in Names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
