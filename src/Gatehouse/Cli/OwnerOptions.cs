using System.CommandLine;
using Gatehouse.Accounts.Access;

namespace Gatehouse.Cli;

/// <summary>The "--user U | --group G" pair that mount and permission commands take.</summary>
internal sealed class OwnerOptions
{
    private readonly Option<string?> _user = new("--user") { Description = "For this user only." };
    private readonly Option<string?> _group = new("--group") { Description = "For every member of this group." };

    public void AddTo(Command command)
    {
        command.Add(_user);
        command.Add(_group);
    }

    public bool TryGet(ParseResult parse, out Owner owner, out string error)
    {
        var user = parse.GetValue(_user);
        var group = parse.GetValue(_group);
        owner = default;
        error = string.Empty;
        if (user is null == (group is null))
        {
            error = "Give exactly one of --user NAME or --group NAME.";
            return false;
        }

        owner = user is not null ? Owner.User(user) : Owner.Group(group!);
        return true;
    }
}
