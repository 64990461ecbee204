namespace ZeroGym.Cluster.Dashboard;

/// <summary>The cluster as the dashboard's ZeroGym page shows it: the answer of its JSON endpoint, polled once a second.</summary>
/// <param name="Node">The node that answered (the one serving the dashboard).</param>
/// <param name="Time">When it answered.</param>
/// <param name="ViewAgeSeconds">How old that node's copy of the cluster view is (<see cref="ClusterNode.ViewAge"/>): the page calls the figures stale beyond a few seconds.</param>
/// <param name="Nodes">Every node the membership knows, in name order.</param>
internal sealed record DashboardSnapshot(string Node, DateTimeOffset Time, double ViewAgeSeconds, IReadOnlyList<NodeState> Nodes);
