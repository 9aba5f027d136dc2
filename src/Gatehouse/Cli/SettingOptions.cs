using System.CommandLine;
using Gatehouse.Accounts.Access;

namespace Gatehouse.Cli;

/// <summary>One "--key value" option per setting the owner kind can carry, generated from <see cref="SettingCatalog"/>.</summary>
internal sealed class SettingOptions
{
    private readonly OwnerKind _kind;
    private readonly List<(SettingDefinition Definition, Option<string?> Option)> _options = [];

    public SettingOptions(OwnerKind kind)
    {
        _kind = kind;
        var scope = SettingCatalog.ScopeOf(kind);
        foreach (var definition in SettingCatalog.All.Where(definition => definition.Scopes.HasFlag(scope)))
        {
            _options.Add((definition, new Option<string?>("--" + definition.Key)
            {
                Description = $"{definition.Description}; '{SettingCatalog.Inherit}' removes it.",
            }));
        }
    }

    public void AddTo(Command command)
    {
        foreach (var (_, option) in _options)
        {
            command.Add(option);
        }
    }

    /// <summary>Validates every given option first, so a typo changes nothing; then writes them.</summary>
    public async Task<int> ApplyAsync(ParseResult parse, CliStore store, Owner owner, CancellationToken cancellationToken)
    {
        var changes = new List<(string Key, string? Value)>();
        var errors = new List<string>();
        foreach (var (definition, option) in _options)
        {
            if (parse.GetValue(option) is not { } value)
            {
                continue;
            }

            if (SettingCatalog.TryPrepare(_kind, definition.Key, value, out var normalized, out var error))
            {
                changes.Add((definition.Key, normalized));
            }
            else
            {
                errors.Add(error);
            }
        }

        if (errors.Count > 0)
        {
            return CliStore.Fail(string.Join(Environment.NewLine, errors) + Environment.NewLine + "Nothing was changed.");
        }

        foreach (var (key, value) in changes)
        {
            await store.Access.SetSettingAsync(owner, key, value, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(value is null ? $"{owner}: {key} removed (inherited again)." : $"{owner}: {key} = {value}");
        }

        return 0;
    }

    public bool AnyGiven(ParseResult parse) => _options.Exists(entry => parse.GetValue(entry.Option) is not null);
}
