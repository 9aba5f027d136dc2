namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>The lab itself: it must never leave namespaces behind, whatever happens to the test that built it.</summary>
[Collection(NetworkLabCollection.Name)]
public sealed class NetworkLabTests
{
    [Fact]
    public async Task A_lab_is_torn_down_even_when_its_test_fails()
    {
        string[] names = [];
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var lab = await NetworkLab.CreateAsync();
            var a = await lab.AddHostAsync("a");
            var b = await lab.AddHostAsync("b");
            await NetworkLab.LinkAsync(a, "10.60.0.1/24", b, "10.60.0.2/24");
            names = [a.Namespace, b.Namespace];
            throw new InvalidOperationException("the test failed");
        });

        Assert.Equal("the test failed", failure.Message);
        var remaining = await NetworkLab.RunAsync("ip", "netns", "list");
        Assert.All(names, name => Assert.DoesNotContain(name, remaining, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Namespaces_of_a_test_process_that_died_are_removed_by_the_next_lab()
    {
        // Process ids never exceed pid_max (at most 4194304), so this owner cannot be running.
        const string orphan = "ghlab-4194305-1-orphan";
        await NetworkLab.RunAsync("ip", "netns", "add", orphan);
        await using var lab = await NetworkLab.CreateAsync();
        Assert.DoesNotContain(orphan, await NetworkLab.RunAsync("ip", "netns", "list"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hosts_are_linked_only_to_each_other()
    {
        await using var lab = await NetworkLab.CreateAsync();
        var a = await lab.AddHostAsync("a");
        var b = await lab.AddHostAsync("b");
        await NetworkLab.LinkAsync(a, "10.60.1.1/24", b, "10.60.1.2/24");
        var links = await a.IpAsync("-o", "link", "show");
        Assert.Equal(["lo", "to-b"], links.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(':')[1].Trim().Split('@')[0]).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("default", await a.IpAsync("route", "show"), StringComparison.Ordinal);
    }
}
