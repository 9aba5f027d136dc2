namespace Gatehouse.EndToEnd.Tests;

/// <summary>lftp with TLS forced on control and data and the certificate verified: put, get and a recursive mirror both ways.</summary>
public sealed class LftpTests(TlsRequiredServerFixture fixture) : IClassFixture<TlsRequiredServerFixture>, IDisposable
{
    private readonly GatehouseServer _server = fixture.Server;
    private readonly string _work = Directory.CreateTempSubdirectory("gatehouse-lftp-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private async Task<string> LftpAsync(string commands, bool passive = true)
    {
        var settings = string.Join("; ",
            $"set ssl:ca-file {_server.CaFile}", "set ftp:ssl-force true", "set ftp:ssl-protect-data true", "set ftp:ssl-protect-list true",
            $"set ftp:passive-mode {(passive ? "true" : "false")}", "set net:max-retries 1", "set net:timeout 20", "set cmd:fail-exit true");
        var (code, output) = await Clients.RunAsync("lftp",
            ["-u", $"alice,{GatehouseServer.Password}", "-p", _server.ExplicitPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-e", $"{settings}; {commands}; bye", "127.0.0.1"],
            TimeSpan.FromMinutes(3), _work);
        Assert.True(code == 0, $"lftp failed (exit {code}): {output}\n--- server log ---\n{Clients.Tail(_server.Output)}");
        return output;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Mirror_uploads_and_downloads_a_tree(bool passive)
    {
        var name = passive ? "tree-passive" : "tree-active";
        var source = Path.Combine(_work, name);
        Directory.CreateDirectory(Path.Combine(source, "sub", "deeper"));
        var random = new Random(42);
        foreach (var file in new[] { "a.bin", "sub/b.bin", "sub/deeper/c.bin", "sub/ünïcode.txt" })
        {
            var bytes = new byte[random.Next(1, 400_000)];
            random.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(source, file), bytes);
        }

        await LftpAsync($"mirror -R {name} {name}", passive);
        var back = Path.Combine(_work, name + "-back");
        await LftpAsync($"mirror {name} {back}", passive);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(back, relative)));
            Assert.True(File.Exists(Path.Combine(_server.Home("alice"), name, relative)));
        }
    }

    [Fact]
    public async Task Put_get_and_listing()
    {
        await File.WriteAllTextAsync(Path.Combine(_work, "hello.txt"), "hello from lftp\n");
        await LftpAsync("put hello.txt -o lftp-hello.txt");
        var listing = await LftpAsync("cls -l");
        Assert.Contains("lftp-hello.txt", listing, StringComparison.Ordinal);
        await LftpAsync("get lftp-hello.txt -o fetched.txt");
        Assert.Equal("hello from lftp\n", await File.ReadAllTextAsync(Path.Combine(_work, "fetched.txt")));
    }
}
