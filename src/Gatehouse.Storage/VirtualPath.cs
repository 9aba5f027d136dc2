namespace Gatehouse.Storage;

/// <summary>
/// A normalized absolute path inside a user's home ("/" is the home itself).
/// Only <see cref="TryResolve"/> creates one, so every instance is already confined:
/// no "..", no backslashes, no NUL or control characters, bounded length.
/// </summary>
public readonly record struct VirtualPath
{
    public const int MaxPathLength = 4096;
    /// <summary>In UTF-8 bytes, as the disk counts them (NAME_MAX of Linux file systems).</summary>
    public const int MaxNameLength = 255;

    public static readonly VirtualPath Root = new("/");

    private VirtualPath(string value) => Value = value;

    public string Value { get; }

    public bool IsRoot => Value == "/";

    public string Name => IsRoot ? "/" : Value[(Value.LastIndexOf('/') + 1)..];

    public VirtualPath Parent => IsRoot ? this : new VirtualPath(Value.LastIndexOf('/') == 0 ? "/" : Value[..Value.LastIndexOf('/')]);

    public IEnumerable<string> Segments => Value.Split('/', StringSplitOptions.RemoveEmptyEntries);

    public VirtualPath Append(string name)
    {
        PathValidation.EnsureValidName(name);
        return new VirtualPath(IsRoot ? "/" + name : Value + "/" + name);
    }

    public override string ToString() => Value;

    /// <summary>Resolves a client-supplied path against the current directory.</summary>
    public static bool TryResolve(VirtualPath current, string? input, out VirtualPath result, out string error)
    {
        result = current;
        error = string.Empty;
        if (string.IsNullOrEmpty(input))
        {
            return true;
        }

        if (input.Length > MaxPathLength)
        {
            error = $"Path is longer than {MaxPathLength} characters.";
            return false;
        }

        if (input.Contains('\\', StringComparison.Ordinal))
        {
            error = "Backslashes are not allowed in paths; use '/' as the separator.";
            return false;
        }

        var stack = new List<string>(input[0] == '/' ? [] : current.Segments);
        foreach (var segment in input.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (stack.Count == 0)
                {
                    error = "Path leads outside your home directory.";
                    return false;
                }

                stack.RemoveAt(stack.Count - 1);
                continue;
            }

            if (!PathValidation.TryValidateName(segment, out error))
            {
                return false;
            }

            stack.Add(segment);
        }

        var joined = "/" + string.Join('/', stack);
        if (joined.Length > MaxPathLength)
        {
            error = $"Path is longer than {MaxPathLength} characters.";
            return false;
        }

        result = new VirtualPath(joined);
        return true;
    }
}
