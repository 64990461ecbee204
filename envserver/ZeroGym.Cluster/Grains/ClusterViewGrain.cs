namespace ZeroGym.Cluster.Grains;

/// <summary>The latest report of every node, in memory (see <see cref="IClusterViewGrain"/>).</summary>
internal sealed class ClusterViewGrain : Grain, IClusterViewGrain
{
    private readonly Dictionary<string, NodeReport> reports = new(StringComparer.Ordinal);

    public Task<NodeReport[]> Publish(NodeReport report)
    {
        reports[report.Silo] = report;
        return Task.FromResult(reports.Values.ToArray());
    }
}
