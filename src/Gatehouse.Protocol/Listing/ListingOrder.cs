using Gatehouse.Storage;

namespace Gatehouse.Protocol.Listing;

/// <summary>The order a directory listing is sent in.</summary>
public static class ListingOrder
{
    public const int SortLimit = 10_000;

    /// <summary>
    /// Up to <see cref="SortLimit"/> entries come in name order. A larger directory is sent in the order the
    /// storage gives, as it is read, so its size costs no memory (vsftpd holds a whole listing to sort it; pure-ftpd
    /// cuts a long one off).
    /// </summary>
    public static IEnumerable<FileSystemEntry> InNameOrderWhenSmall(IEnumerable<FileSystemEntry> entries)
    {
        using var reading = entries.GetEnumerator();
        var first = new List<FileSystemEntry>();
        while (first.Count <= SortLimit && reading.MoveNext())
        {
            first.Add(reading.Current);
        }

        if (first.Count <= SortLimit)
        {
            first.Sort(static (left, right) => string.CompareOrdinal(left.Name, right.Name));
        }

        foreach (var entry in first)
        {
            yield return entry;
        }

        first.Clear();
        while (reading.MoveNext())
        {
            yield return reading.Current;
        }
    }
}
