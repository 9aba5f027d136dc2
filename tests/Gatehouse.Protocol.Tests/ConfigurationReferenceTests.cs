using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Gatehouse.Protocol.Configuration;

namespace Gatehouse.Protocol.Tests;

/// <summary>
/// The options classes, the known-keys list that `config check` enforces and the configuration reference in docs/
/// must name the same keys, with the same defaults where the reference gives a literal one.
/// </summary>
public sealed partial class ConfigurationReferenceTests
{
    [Fact]
    public void The_known_keys_are_exactly_the_options_properties()
    {
        var fromOptions = KeysOf(typeof(GatehouseOptions), prefix: null).Select(key => key.Pattern).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(fromOptions, ConfigurationKeys.Patterns.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void The_reference_documents_every_key_and_no_other()
    {
        var documented = DocumentedKeys().Keys.ToHashSet(StringComparer.Ordinal);
        var known = ConfigurationKeys.Patterns.Select(Documented).ToHashSet(StringComparer.Ordinal);

        Assert.Equal([], known.Except(documented).Order(StringComparer.Ordinal).ToList());
        Assert.Equal([], documented.Except(known).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void Literal_defaults_in_the_reference_are_the_defaults_in_the_code()
    {
        var defaults = KeysOf(typeof(GatehouseOptions), prefix: null).Where(key => key.Default is not null)
            .ToDictionary(key => key.Pattern, key => key.Default!, StringComparer.Ordinal);
        var checkedKeys = 0;
        foreach (var (key, documentedDefault) in DocumentedKeys())
        {
            if (documentedDefault is null || !defaults.TryGetValue(key, out var actual))
            {
                continue;
            }

            Assert.True(documentedDefault == actual, $"{key}: the reference says `{documentedDefault}`, the code says {actual}");
            checkedKeys++;
        }

        Assert.True(checkedKeys > 30, $"only {checkedKeys} defaults compared: has the reference's table format changed?");
    }

    /// <summary>Keys as a configuration file writes them, with the default of each scalar formatted as the reference writes it.</summary>
    private static IEnumerable<(string Pattern, string? Default)> KeysOf(Type options, string? prefix)
    {
        var instance = Activator.CreateInstance(options);
        foreach (var property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.CanWrite))
        {
            var key = prefix is null ? property.Name : $"{prefix}:{property.Name}";
            var type = property.PropertyType;
            if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
            {
                var element = type.GetGenericArguments()[0];
                var items = element == typeof(string) ? [($"{key}:*", (string?)null)] : KeysOf(element, $"{key}:*").Select(item => (item.Pattern, (string?)null));
                foreach (var item in items)
                {
                    yield return item;
                }
            }
            else if (type.IsClass && type != typeof(string))
            {
                foreach (var item in KeysOf(type, key))
                {
                    yield return item;
                }
            }
            else
            {
                yield return (key, Format(property.GetValue(instance)));
            }
        }
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>A list key is documented once, by its name (Ftp:PassiveAddressOverrides, not ...:*:Network).</summary>
    private static string Documented(string pattern) => pattern.Contains(":*", StringComparison.Ordinal) ? pattern[..pattern.IndexOf(":*", StringComparison.Ordinal)] : pattern;

    /// <summary>Every key in the first cell of the docs' tables, with the default cell when it is one literal value.</summary>
    private static Dictionary<string, string?> DocumentedKeys()
    {
        var keys = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var file in new[] { "configuration.md", "accounts.md" })
        {
            foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot(), "docs", file)))
            {
                var cells = line.Split('|');
                if (!line.StartsWith("| `", StringComparison.Ordinal) || cells.Length < 4)
                {
                    continue;
                }

                var literal = LiteralDefault().Match(cells[2].Trim());
                foreach (Match key in DocumentedKey().Matches(cells[1]))
                {
                    keys[key.Groups[1].Value] = literal.Success ? literal.Groups[1].Value : null;
                }
            }
        }

        return keys;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Gatehouse.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Gatehouse.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"`((?:DataDirectory)|(?:[A-Z][A-Za-z]+:[A-Z][A-Za-z]+))`")]
    private static partial Regex DocumentedKey();

    [GeneratedRegex(@"^`([^`]+)`$")]
    private static partial Regex LiteralDefault();
}
