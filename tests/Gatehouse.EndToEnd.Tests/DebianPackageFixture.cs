namespace Gatehouse.EndToEnd.Tests;

/// <summary>Builds the package once (scripts/package-deb.sh) into a temporary directory for <see cref="DebianPackageTests"/>, and deletes it afterwards.</summary>
public sealed class DebianPackageFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _dist = Directory.CreateTempSubdirectory("gatehouse-deb-");

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    public string File { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            Assert.Fail("The package checks mount, switch accounts and bind ports 21 and 990: they need root (CI runs as root).");
        }

        // A nested dotnet must not inherit the test host's MSBuild settings.
        var (code, output) = await Clients.RunAsync("/usr/bin/env",
            ["-u", "MSBuildSDKsPath", "-u", "MSBUILD_EXE_PATH", "-u", "MSBuildExtensionsPath", $"GATEHOUSE_DIST={_dist.FullName}", "bash", "scripts/package-deb.sh"],
            TimeSpan.FromMinutes(20), RepositoryRoot);
        Assert.True(code == 0, $"scripts/package-deb.sh failed (exit {code}):\n{output}");
        File = Assert.Single(_dist.GetFiles("gatehouse_*.deb")).FullName;
    }

    public Task DisposeAsync()
    {
        _dist.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "Gatehouse.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Gatehouse.slnx above {AppContext.BaseDirectory}.");
    }
}
