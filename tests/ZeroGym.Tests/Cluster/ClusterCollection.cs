namespace ZeroGym.Tests.Cluster;

/// <summary>
/// The tests that start real clusters run one after the other: each cluster is a Redis and several server processes,
/// and on a 2-core machine two at once would starve each other's failure detectors.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "real clusters";
}

/// <summary>A cluster of three nodes (node-a, node-b, node-c) shared by the tests of one class.</summary>
public sealed class ThreeNodeCluster : IDisposable
{
    public ThreeNodeCluster()
    {
        Local = new LocalCluster();
        try
        {
            Nodes = Local.StartNodes("node-a", "node-b", "node-c").OrderBy(node => node.Name, StringComparer.Ordinal).ToList();
        }
        catch
        {
            Local.Dispose();
            throw;
        }
    }

    internal LocalCluster Local { get; }

    internal IReadOnlyList<LocalCluster.Node> Nodes { get; }

    public void Dispose() => Local.Dispose();
}
