using System.Text;
using Gatehouse.Accounts.Events;
using Gatehouse.Protocol.Events;

namespace Gatehouse.Protocol.Tests.Events;

public sealed class EventRuleUnitTests
{
    [Fact]
    public void The_signature_is_the_hmac_of_the_time_a_dot_and_the_body_as_python_computes_it()
    {
        // python3: hmac.new(b'whsec_test', b'1765000000.{"a":1}', hashlib.sha256).hexdigest()
        var signature = WebhookSignature.Sign("whsec_test", DateTimeOffset.FromUnixTimeSeconds(1765000000), Encoding.UTF8.GetBytes("{\"a\":1}"));

        Assert.Equal("t=1765000000,v1=bff821b803d16fd6792090a808f6943d2c920f931b611f5bc0a3299fb108c453", signature);
    }

    [Theory]
    [InlineData("/orders/*.xml", "/orders/a.xml", true)]
    [InlineData("/orders/*.xml", "/orders/2026/a.xml", false)]
    [InlineData("/orders/**.xml", "/orders/2026/a.xml", true)]
    [InlineData("/orders/*.xml", "/x/orders/a.xml", false)]
    [InlineData("/orders/*.xml", "/orders/a.xml.tmp", false)]
    [InlineData("/in/?.csv", "/in/7.csv", true)]
    [InlineData("/in/?.csv", "/in/77.csv", false)]
    [InlineData("/a+b/(x).txt", "/a+b/(x).txt", true)]
    [InlineData("**", "/anything/at/all", true)]
    public void Globs_match_within_folders_unless_doubled(string pattern, string path, bool matches) =>
        Assert.Equal(matches, PathGlob.Parse(pattern).Matches(path));

    [Fact]
    public void Every_condition_must_hold_and_an_unset_one_matches_everything()
    {
        var rule = new EventRule
        {
            Name = "orders",
            On = EventKind.Upload,
            Conditions = new RuleConditions { Group = "partners", Name = "*.xml", MinSize = 10, MaxSize = 100, Network = "198.51.100.0/24" },
            Actions = [new RuleAction { Kind = RuleActionKind.Delete }],
        };
        var matcher = RuleMatcher.Create(rule, out _)!;
        var upload = new ServerEvent { Id = "1", Kind = "upload", Time = DateTimeOffset.UnixEpoch, Node = "n", User = "acme", Groups = ["partners"], Client = "198.51.100.7", Path = "/in/order.xml", Size = 50 };

        Assert.True(matcher.Matches(EventKind.Upload, upload));
        Assert.False(matcher.Matches(EventKind.Download, upload));
        Assert.False(matcher.Matches(EventKind.Upload, Change(upload, size: 5)));
        Assert.False(matcher.Matches(EventKind.Upload, Change(upload, size: 101)));
        Assert.False(matcher.Matches(EventKind.Upload, Change(upload, client: "203.0.113.9")));
        Assert.False(matcher.Matches(EventKind.Upload, Change(upload, path: "/in/order.csv")));
        Assert.False(matcher.Matches(EventKind.Upload, Change(upload, groups: [])));
        Assert.Null(RuleMatcher.Create(new EventRule { Name = "x", On = EventKind.Upload, Conditions = new RuleConditions { Network = "not-a-network" } }, out var error));
        Assert.Contains("not-a-network", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wait_doubles_after_each_failure_up_to_an_hour_and_stops_at_the_limit()
    {
        var backoff = new DeliveryBackoff(maxAttempts: 12, TimeSpan.FromSeconds(10));

        Assert.Equal([10, 20, 40, 80], Enumerable.Range(1, 4).Select(attempt => backoff.After(attempt)!.Value.TotalSeconds));
        Assert.Equal(DeliveryBackoff.MaxDelay, backoff.After(11));
        Assert.Null(backoff.After(12));
    }

    [Theory]
    [InlineData("https://hooks.example.com/in", null)]
    [InlineData("http://hooks.example.com:8080/in", null)]
    [InlineData("https://HOOKS.example.com/in", null)]
    [InlineData("http://127.0.0.1:8080/x", null)]
    [InlineData("http://127.0.0.1:8081/x", "127.0.0.1:8081 is not in Events:WebhookAllowedHosts")]
    [InlineData("https://169.254.169.254/latest/meta-data", "169.254.169.254:443 is not in Events:WebhookAllowedHosts")]
    [InlineData("https://hooks.example.com.evil.test/", "hooks.example.com.evil.test:443 is not in Events:WebhookAllowedHosts")]
    [InlineData("https://user:pw@hooks.example.com/", "carries a user name or password")]
    [InlineData("file:///etc/passwd", "is not an http:// or https:// URL")]
    [InlineData("http://[::1]:9000/", null)]
    public void Only_listed_hosts_and_ports_are_reachable(string url, string? refusal)
    {
        var destinations = new WebhookDestinations(["hooks.example.com", "127.0.0.1:8080", "[::1]:9000"]);

        var answer = destinations.Refusal(url);

        if (refusal is null)
        {
            Assert.Null(answer);
        }
        else
        {
            Assert.Contains(refusal, answer, StringComparison.Ordinal);
        }
    }

    private static ServerEvent Change(ServerEvent e, long? size = null, string? client = null, string? path = null, IReadOnlyList<string>? groups = null) => new()
    {
        Id = e.Id, Kind = e.Kind, Time = e.Time, Node = e.Node, User = e.User,
        Groups = groups ?? e.Groups, Client = client ?? e.Client, Path = path ?? e.Path, Size = size ?? e.Size,
    };
}
