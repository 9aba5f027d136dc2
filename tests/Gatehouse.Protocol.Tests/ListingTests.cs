using Gatehouse.Protocol.Hashing;
using Gatehouse.Protocol.Listing;
using Gatehouse.Protocol.Logging;
using Gatehouse.Storage;

namespace Gatehouse.Protocol.Tests;

public class ListingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly FileSystemEntry File = new("report.csv", false, 1234, new DateTimeOffset(2026, 11, 20, 8, 30, 15, TimeSpan.Zero), "803.1f2a");
    private static readonly FileSystemEntry Dir = new("in", true, 0, new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero), "803.1f2b");

    [Fact]
    public void Unix_lines_use_time_for_recent_and_year_for_old_entries()
    {
        Assert.Equal("-rw-r--r-- 1 ftp ftp         1234 Nov 20 08:30 report.csv", ListingFormatter.UnixLine(File, Now));
        Assert.Equal("drwxr-xr-x 1 ftp ftp            0 Jan 02  2020 in", ListingFormatter.UnixLine(Dir, Now));
    }

    [Fact]
    public void Facts_follow_rfc3659()
    {
        Assert.Equal("type=file;size=1234;modify=20261120083015;perm=adfrw;unique=803.1f2a; report.csv",
            ListingFormatter.Facts(File, ["type", "size", "modify", "perm", "unique"], File.Name));
        Assert.Equal("type=dir;modify=20200102030405; in", ListingFormatter.Facts(Dir, ["type", "size", "modify"], Dir.Name));
    }

    [Fact]
    public void Lines_are_utf8_and_the_string_forms_match_them()
    {
        var entry = File with { Name = "Grüße.txt" };
        var line = new byte[ListingFormatter.MaxLineBytes];
        var written = ListingFormatter.WriteFacts(entry, ["size"], entry.Name, isHome: false, line);
        Assert.Equal("size=1234; Grüße.txt"u8.ToArray(), line[..written]);
        Assert.Equal("size=1234; Grüße.txt", ListingFormatter.Facts(entry, ["size"], entry.Name));
    }

    [Fact]
    public void Directories_up_to_the_sort_limit_come_in_name_order()
    {
        var names = Enumerable.Range(0, ListingOrder.SortLimit).Select(index => $"f{index:D6}").Reverse().ToList();
        var listed = ListingOrder.InNameOrderWhenSmall(names.Select(name => File with { Name = name })).Select(entry => entry.Name);
        Assert.Equal(names.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public void Larger_directories_are_sent_whole_in_the_order_read()
    {
        var names = Enumerable.Range(0, ListingOrder.SortLimit + 1).Select(index => $"f{index:D6}").Reverse().ToList();
        var listed = ListingOrder.InNameOrderWhenSmall(names.Select(name => File with { Name = name })).Select(entry => entry.Name);
        Assert.Equal(names, listed);
    }

    [Theory]
    [InlineData("-la", "")]
    [InlineData("-a -l dir", "dir")]
    [InlineData("dir name", "dir name")]
    public void List_options_are_stripped(string argument, string path) => Assert.Equal(path, ListArguments.StripOptions(argument));

    [Fact]
    public void Timestamps_parse_with_and_without_fractions()
    {
        Assert.True(ListingFormatter.TryParseTimestamp("20261120083015", out var time));
        Assert.Equal(File.LastModified, time);
        Assert.True(ListingFormatter.TryParseTimestamp("20261120083015.123", out _));
        Assert.False(ListingFormatter.TryParseTimestamp("2026-11-20", out _));
    }

    [Fact]
    public void Hash_feature_marks_the_selected_algorithm()
    {
        Assert.Equal("SHA-256*;SHA-1;MD5;CRC32", FileHashAlgorithms.FeatureList(FileHashAlgorithm.Sha256));
        Assert.True(FileHashAlgorithms.TryParse("sha-1", out var algorithm));
        Assert.Equal(FileHashAlgorithm.Sha1, algorithm);
        Assert.False(FileHashAlgorithms.TryParse("SHA-512", out _));
    }

    [Theory]
    [InlineData(FileHashAlgorithm.Sha256, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")]
    [InlineData(FileHashAlgorithm.Sha1, "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed")]
    [InlineData(FileHashAlgorithm.Md5, "5eb63bbbe01eeed093cb22bb8f5acdc3")]
    [InlineData(FileHashAlgorithm.Crc32, "0d4a1185")]
    public async Task Hashes_match_known_vectors(FileHashAlgorithm algorithm, string expected)
    {
        using var content = new MemoryStream("hello world"u8.ToArray());
        Assert.Equal(expected, await FileHasher.ComputeAsync(content, algorithm, default));
    }

    [Fact]
    public void Xferlog_line_has_the_classic_fields()
    {
        var line = TransferLog.FormatLine(Now, TimeSpan.FromSeconds(2.4), System.Net.IPAddress.Parse("198.51.100.7"), 1234, "/in/my file.csv",
            ascii: false, TransferDirection.Incoming, "alice", complete: true);
        var fields = line.Split(' ');
        Assert.Equal(18, fields.Length);
        Assert.Equal(["2", "198.51.100.7", "1234", "/in/my_file.csv", "b", "_", "i", "r", "alice", "ftp", "0", "*", "c"], fields[5..]);
    }
}
