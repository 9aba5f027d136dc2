using System.CommandLine;
using Gatehouse.Accounts.Access;

namespace Gatehouse.Cli;

/// <summary>One "--key value" option per setting the owner kind can carry, generated from <see cref="SettingCatalog"/>.</summary>
internal sealed class SettingOptions
{
    private readonly List<(SettingDefinition Definition, Option<string?> Option)> _options = [];

    public SettingOptions(OwnerKind kind)
    {
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

    /// <summary>Writes the given options through the shared service, which checks them all first, so a typo changes nothing.</summary>
    public async Task<int> ApplyAsync(ParseResult parse, CliStore store, Owner owner, CancellationToken cancellationToken)
    {
        var (changes, refusal) = await store.AccessAdministration.SetSettingsAsync(CliStore.Actor, owner, Given(parse), cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return CliStore.Fail(refusal.Message + Environment.NewLine + "Nothing was changed.");
        }

        foreach (var (key, value) in changes)
        {
            Console.WriteLine(value is null ? $"{owner}: {key} removed (inherited again)." : $"{owner}: {key} = {value}");
        }

        return 0;
    }

    /// <summary>The settings given on the command line, by key, as typed.</summary>
    public IReadOnlyDictionary<string, string> Given(ParseResult parse) =>
        _options.Where(entry => parse.GetValue(entry.Option) is not null).ToDictionary(entry => entry.Definition.Key, entry => parse.GetValue(entry.Option)!);

    public bool AnyGiven(ParseResult parse) => _options.Exists(entry => parse.GetValue(entry.Option) is not null);
}
