namespace Gatehouse.EndToEnd.Tests;

/// <summary>A system account (PAM) that a peer FTP server (vsftpd, ProFTPD) logs in, created once per machine, its home set per test.</summary>
public sealed record PeerAccount(string User, string Password)
{
    public async Task UseHomeAsync(string home)
    {
        var (exists, _) = await Clients.RunAsync("id", [User]);
        if (exists != 0)
        {
            await RunAsync("useradd", "--no-create-home", "--shell", "/bin/bash", User);
        }

        await RunAsync("usermod", "--home", home, User);
        await RunAsync("sh", "-c", $"echo '{User}:{Password}' | chpasswd");
        await RunAsync("chown", $"{User}:{User}", home);
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var (code, output) = await Clients.RunAsync(program, arguments, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"{program} {string.Join(' ', arguments)} failed ({code}): {output}");
    }
}
