using System.Text;
using System.Text.RegularExpressions;

namespace Gatehouse.Accounts.Events;

/// <summary>
/// Shell-style patterns over virtual paths: <c>*</c> matches within one folder, <c>**</c> across folders, <c>?</c> one
/// character other than '/'. Case-sensitive, like the paths. Anchored at both ends, so "/orders/*.xml" matches
/// "/orders/a.xml" but neither "/orders/2026/a.xml" (that needs "/orders/**.xml") nor "/x/orders/a.xml".
/// </summary>
public sealed class PathGlob
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);
    private readonly Regex _regex;

    private PathGlob(string pattern, Regex regex)
    {
        Pattern = pattern;
        _regex = regex;
    }

    public string Pattern { get; }

    public static PathGlob Parse(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                regex.Append(".*");
                i++;
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        regex.Append('$');
        return new PathGlob(pattern, new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline, MatchTimeout));
    }

    public bool Matches(string path)
    {
        try
        {
            return _regex.IsMatch(path);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
