namespace Gatehouse.Protocol.Listing;

public static class ListArguments
{
    /// <summary>Clients send ls options with LIST ("-la", "-a dir"); they are dropped and what remains is the path.</summary>
    public static string StripOptions(string argument)
    {
        var rest = argument.TrimStart();
        while (rest.StartsWith('-'))
        {
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            rest = space < 0 ? string.Empty : rest[(space + 1)..].TrimStart();
        }

        return rest;
    }
}
