namespace Gatehouse.EndToEnd.Tests;

/// <summary>Tests that load the machine (thousands of connections) run alone, so their load cannot slow other tests into failing.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadTestCollection
{
    public const string Name = "Load tests";
}
