namespace Gatehouse.Accounts.Access;

public enum OwnerKind
{
    User,
    Group,
    Folder,
}

/// <summary>Who a setting, mount or permission belongs to.</summary>
public readonly record struct Owner(OwnerKind Kind, string Name)
{
    public static Owner User(string name) => new(OwnerKind.User, name);

    public static Owner Group(string name) => new(OwnerKind.Group, name);

    public static Owner Folder(string name) => new(OwnerKind.Folder, name);

    /// <summary>The value stored in owner_kind columns.</summary>
    public string KindText => Kind switch
    {
        OwnerKind.User => "user",
        OwnerKind.Group => "group",
        _ => "folder",
    };

    public override string ToString() => $"{KindText} {Name}";
}
