using System.Globalization;

namespace Gatehouse.EndToEnd.Tests;

/// <summary>
/// curl against the secure server: explicit TLS (--ssl-reqd), implicit ftps://, EPSV and PASV. Active mode with TLS
/// is not tested with curl: curl 7.87-7.88 (Debian 12 ships 7.88.1) never starts TLS on active data connections
/// (curl issue #10666, fixed in 8.0); ftplib and lftp cover active FTPS, and <see cref="CurlPlainTests"/> covers curl's active mode.
/// </summary>
public sealed class CurlTests(TlsRequiredServerFixture fixture) : IClassFixture<TlsRequiredServerFixture>, IDisposable
{
    private readonly GatehouseServer _server = fixture.Server;
    private readonly string _work = Directory.CreateTempSubdirectory("gatehouse-curl-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Url(string path, bool implicitTls = false) =>
        implicitTls
            ? $"ftps://127.0.0.1:{_server.ImplicitPort}/{path}"
            : $"ftp://127.0.0.1:{_server.ExplicitPort}/{path}";

    private Task<string> CurlAsync(params string[] arguments) => Clients.CurlAsync(_server, arguments);

    [Theory]
    [InlineData("epsv", new string[0])]
    [InlineData("pasv", new[] { "--disable-epsv" })]
    public async Task Upload_and_download_with_ssl_reqd(string mode, string[] modeArguments)
    {
        var local = Clients.RandomFile(_work, $"{mode}.bin", 2_500_000);
        await CurlAsync([.. modeArguments, "--ssl-reqd", "--ftp-create-dirs", "-T", local, Url($"curl/{mode}.bin")]);
        var back = Path.Combine(_work, $"{mode}.back");
        await CurlAsync([.. modeArguments, "--ssl-reqd", "-o", back, Url($"curl/{mode}.bin")]);
        Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(back));
    }

    [Fact]
    public async Task Implicit_ftps_lists_and_downloads()
    {
        await File.WriteAllTextAsync(Path.Combine(_server.Home("alice"), "implicit.txt"), "over implicit TLS");
        var listing = await CurlAsync("--list-only", Url("", implicitTls: true));
        Assert.Contains("implicit.txt", listing, StringComparison.Ordinal);
        Assert.Equal("over implicit TLS", await CurlAsync(Url("implicit.txt", implicitTls: true)));
    }

    [Fact]
    public async Task Tls_sessions_are_resumed_on_data_connections()
    {
        await File.WriteAllTextAsync(Path.Combine(_server.Home("alice"), "resume-tls.txt"), "resumed");
        var output = await CurlAsync("--ssl-reqd", "--verbose", Url("resume-tls.txt"));
        Assert.Contains("SSL re-using session ID", output, StringComparison.Ordinal);
        Assert.Contains("resumed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Range_download_resumes_from_an_offset()
    {
        await File.WriteAllTextAsync(Path.Combine(_server.Home("alice"), "range.txt"), "0123456789");
        Assert.Equal("6789", await CurlAsync("--ssl-reqd", "--range", "6-", Url("range.txt")));
    }

    [Fact]
    public async Task Offsets_beyond_four_gibibytes_work()
    {
        var size = (4L << 30) + 1000;
        var path = Path.Combine(_server.Home("alice"), "sparse-5g.bin");
        using (var file = File.Create(path))
        {
            file.SetLength(size);
            file.Seek(size - 4, SeekOrigin.Begin);
            file.Write("tail"u8);
        }

        var head = await CurlAsync("--ssl-reqd", "--head", Url("sparse-5g.bin"));
        Assert.Contains($"Content-Length: {size}", head, StringComparison.Ordinal);
        var from = (size - 10).ToString(CultureInfo.InvariantCulture);
        var tail = await CurlAsync("--ssl-reqd", "--range", $"{from}-", Url("sparse-5g.bin"));
        Assert.Equal("\0\0\0\0\0\0tail", tail);
    }

    [Fact]
    public async Task Wrong_password_is_refused_with_curls_login_denied()
    {
        var (code, output) = await Clients.RunAsync("curl", ["--silent", "--show-error", "--ssl-reqd", "--cacert", _server.CaFile, "--user", "alice:nope", Url("")]);
        Assert.Equal(67, code);
        Assert.Contains("530", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_ftp_without_tls_is_refused_by_the_default_policy()
    {
        var (code, output) = await Clients.RunAsync("curl", ["--silent", "--show-error", "--user", $"alice:{GatehouseServer.Password}", Url("")]);
        Assert.NotEqual(0, code);
        Assert.Contains("530", output, StringComparison.Ordinal);
    }
}

/// <summary>curl's active mode (EPRT and PORT) and a full 4 GiB+ stream, over plain FTP on a Tls:Policy Optional server.</summary>
public sealed class CurlPlainTests(TlsOptionalServerFixture fixture) : IClassFixture<TlsOptionalServerFixture>, IDisposable
{
    private readonly GatehouseServer _server = fixture.Server;
    private readonly string _work = Directory.CreateTempSubdirectory("gatehouse-curl-plain-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Url(string path) => $"ftp://127.0.0.1:{_server.ExplicitPort}/{path}";

    [Theory]
    [InlineData("eprt", new string[0])]
    [InlineData("port", new[] { "--disable-eprt" })]
    public async Task Active_mode_upload_and_download(string mode, string[] modeArguments)
    {
        var local = Clients.RandomFile(_work, $"active-{mode}.bin", 1_500_000);
        await Clients.CurlAsync(_server, [.. modeArguments, "--ftp-port", "127.0.0.1", "-T", local, Url($"active-{mode}.bin")]);
        var back = Path.Combine(_work, $"{mode}.back");
        await Clients.CurlAsync(_server, [.. modeArguments, "--ftp-port", "127.0.0.1", "-o", back, Url($"active-{mode}.bin")]);
        Assert.Equal(await File.ReadAllBytesAsync(local), await File.ReadAllBytesAsync(back));
    }

    [Fact]
    public async Task A_file_above_four_gibibytes_streams_completely()
    {
        var size = (4L << 30) + 123_457;
        using (var file = File.Create(Path.Combine(_server.Home("alice"), "huge.bin")))
        {
            file.SetLength(size);
        }

        var written = await Clients.CurlAsync(_server, "--max-time", "600", "-o", "/dev/null", "--write-out", "%{size_download}", Url("huge.bin"));
        Assert.Equal(size.ToString(System.Globalization.CultureInfo.InvariantCulture), written.Trim());
    }
}
