namespace Gatehouse.Accounts.Admin;

/// <summary>Why an administrative change was refused: bad input, a missing target, or a name already taken.</summary>
public enum RefusalKind
{
    Invalid,
    NotFound,
    Conflict,
}

/// <summary>One refused field: its name as the API's JSON spells it (the CLI's option has the same word) and what is wrong.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// What the shared administration services (<see cref="UserAdministration"/>, <see cref="AccessAdministration"/>, ...)
/// answer instead of making a change, so that the CLI prints the same words the API returns as problem details naming
/// the field. Nothing was changed when one is returned.
/// </summary>
public sealed record AdminRefusal(RefusalKind Kind, IReadOnlyList<FieldError> Errors)
{
    public string Message => string.Join(Environment.NewLine, Errors.Select(error => error.Message));

    public static AdminRefusal Invalid(string field, string message) => new(RefusalKind.Invalid, [new FieldError(field, message)]);

    public static AdminRefusal NotFound(string field, string message) => new(RefusalKind.NotFound, [new FieldError(field, message)]);

    public static AdminRefusal Conflict(string field, string message) => new(RefusalKind.Conflict, [new FieldError(field, message)]);

    public override string ToString() => Message;
}
