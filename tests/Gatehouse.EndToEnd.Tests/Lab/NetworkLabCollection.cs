namespace Gatehouse.EndToEnd.Tests.Lab;

/// <summary>Lab tests run one at a time, after the others: some time network behaviour (conntrack expiry) on 2 cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NetworkLabCollection
{
    public const string Name = "Network lab";
}
