namespace Gatehouse.Storage.Tests;

public class VirtualPathTests
{
    private static VirtualPath Resolve(string current, string input)
    {
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, current, out var cwd, out _));
        Assert.True(VirtualPath.TryResolve(cwd, input, out var result, out var error), error);
        return result;
    }

    [Theory]
    [InlineData("/", "a/b", "/a/b")]
    [InlineData("/a", "b", "/a/b")]
    [InlineData("/a/b", "..", "/a")]
    [InlineData("/a/b", "../../c", "/c")]
    [InlineData("/a", "/x/./y//z/", "/x/y/z")]
    [InlineData("/a", "", "/a")]
    [InlineData("/", "Grüße 日本.txt", "/Grüße 日本.txt")]
    public void Resolves_relative_and_absolute_paths_inside_the_home(string current, string input, string expected) =>
        Assert.Equal(expected, Resolve(current, input).Value);

    [Theory]
    [InlineData("/", "..", "outside your home")]
    [InlineData("/a", "../..", "outside your home")]
    [InlineData("/", "/../etc/passwd", "outside your home")]
    [InlineData("/", "a/../../b", "outside your home")]
    [InlineData("/", "..\\..\\windows", "Backslashes")]
    [InlineData("/", "a\0b", "NUL")]
    [InlineData("/", "bad\r\nname", "Control characters")]
    [InlineData("/", ".gatehouse-upload-123", "reserved")]
    public void Refuses_escapes_and_dangerous_names(string current, string input, string expectedError)
    {
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, current, out var cwd, out _));
        Assert.False(VirtualPath.TryResolve(cwd, input, out _, out var error));
        Assert.Contains(expectedError, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_overlong_paths_and_names()
    {
        Assert.False(VirtualPath.TryResolve(VirtualPath.Root, new string('a', 256), out _, out var nameError));
        Assert.Contains("255", nameError, StringComparison.Ordinal);
        Assert.False(VirtualPath.TryResolve(VirtualPath.Root, string.Join('/', Enumerable.Repeat(new string('a', 200), 30)), out _, out var pathError));
        Assert.Contains("4096", pathError, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_is_measured_in_utf8_bytes_as_the_disk_counts_them()
    {
        Assert.False(VirtualPath.TryResolve(VirtualPath.Root, new string('é', 128), out _, out var error));
        Assert.Equal("File name too long: 256 bytes in UTF-8, the limit is 255.", error);
        Assert.True(VirtualPath.TryResolve(VirtualPath.Root, new string('é', 127) + "a", out _, out _));
        Assert.False(VirtualPath.TryResolve(VirtualPath.Root, string.Concat(Enumerable.Repeat("😀", 64)), out _, out _));
    }

    [Fact]
    public void Parent_and_name_of_nested_and_root_paths()
    {
        var path = Resolve("/", "a/b/c.txt");
        Assert.Equal("c.txt", path.Name);
        Assert.Equal("/a/b", path.Parent.Value);
        Assert.Equal("/", Resolve("/", "a").Parent.Value);
        Assert.True(VirtualPath.Root.Parent.IsRoot);
    }
}
