namespace Gatehouse.EndToEnd.Tests;

/// <summary>One server with the secure defaults (Tls:Policy Required) shared by a test class.</summary>
public sealed class TlsRequiredServerFixture : IAsyncLifetime
{
    public GatehouseServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await GatehouseServer.StartAsync(implicitTls: true);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>A server with Tls:Policy Optional, for plain-FTP behaviour (urgent ABOR, Telnet) and implicit FTPS.</summary>
public sealed class TlsOptionalServerFixture : IAsyncLifetime
{
    public GatehouseServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await GatehouseServer.StartAsync(new() { ["Tls__Policy"] = "Optional" }, implicitTls: true);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

internal static class TestFiles
{
    /// <summary>A file large enough that the transfer is still running when ABOR arrives (the client stops reading).</summary>
    public static string CreateBig(GatehouseServer server, string name = "big.bin", long size = 64L << 20)
    {
        var path = Path.Combine(server.Home("alice"), name);
        using var file = File.Create(path);
        var block = new byte[1 << 20];
        Random.Shared.NextBytes(block);
        for (long written = 0; written < size; written += block.Length)
        {
            file.Write(block, 0, (int)Math.Min(block.Length, size - written));
        }

        return path;
    }
}
