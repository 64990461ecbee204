namespace ZeroGym.Cluster;

/// <summary>
/// Where the sub-envs of one vector env go (SPEC.md §3.5, <c>place</c>): a pure function of the cluster view, so it is
/// tested without a cluster. Only active nodes that offer the env are candidates, and no node gets more sub-envs
/// than one vector env may have on it (<see cref="NodeState.MaxNumEnvs"/>).
/// </summary>
public static class Placement
{
    /// <summary>Balanced over the live nodes by free capacity: each sub-env to the node with the fewest sub-envs per core.</summary>
    public const string Spread = "spread";

    /// <summary>Fills the node asked first, then the least loaded other nodes in turn.</summary>
    public const string Pack = "pack";

    /// <summary>Every sub-env on the node asked: a single server's behaviour.</summary>
    public const string Local = "local";

    /// <summary>The placements in the order SPEC.md lists them.</summary>
    public static IReadOnlyList<string> Modes { get; } = [Spread, Pack, Local];

    /// <summary>
    /// The nodes that get sub-envs and how many each, in sub-env order: the first node takes sub-envs 0 to count-1,
    /// the next the following ones, so a client makes one vector env per node.
    /// </summary>
    /// <param name="nodes">The cluster view.</param>
    /// <param name="envId">The env to place; nodes that do not offer it are left out.</param>
    /// <param name="numEnvs">Sub-envs to place, at least 1.</param>
    /// <param name="mode"><see cref="Spread"/>, <see cref="Pack"/> or <see cref="Local"/>.</param>
    /// <param name="localNode">The name of the node asked.</param>
    /// <param name="exclude">Names or endpoints of nodes that are no candidates (a client found them unreachable before the membership did).</param>
    /// <exception cref="ArgumentException">An unknown mode, or more sub-envs than the candidate nodes can take.</exception>
    public static IReadOnlyList<(NodeState Node, int Count)> Plan(
        IReadOnlyList<NodeState> nodes, string envId, int numEnvs, string mode, string localNode, IReadOnlyCollection<string>? exclude = null)
    {
        if (numEnvs < 1) throw new ArgumentException($"num_envs must be at least 1; got {numEnvs}");
        var candidates = nodes.Where(node => node.IsActive && node.EnvIds.Contains(envId)
            && !(exclude is not null && (exclude.Contains(node.Name) || exclude.Contains(node.Endpoint)))).ToList();
        var local = candidates.FirstOrDefault(node => node.Name == localNode);
        return mode switch
        {
            Spread => PlanSpread(candidates, numEnvs, envId, localNode),
            Pack => Fill(local is null ? [.. ByLoad(candidates)] : [local, .. ByLoad(candidates.Where(node => node != local))], numEnvs, envId),
            Local => Fill(local is null
                ? throw new ArgumentException($"placement 'local': the node asked ({localNode}) is not an active node offering {envId}")
                : [local], numEnvs, envId),
            _ => throw new ArgumentException($"placement must be one of {string.Join(", ", Modes)}; got '{mode}'"),
        };
    }

    private static List<(NodeState Node, int Count)> PlanSpread(List<NodeState> candidates, int numEnvs, string envId, string localNode)
    {
        EnsureRoom(candidates, numEnvs, envId);
        // The node asked wins ties (its sub-envs are the client's nearest), then names, so a plan is reproducible.
        var ordered = candidates.OrderBy(node => node.Name == localNode ? 0 : 1).ThenBy(node => node.Name, StringComparer.Ordinal).ToList();
        var counts = new int[ordered.Count];
        for (int placed = 0; placed < numEnvs; placed++)
        {
            int best = -1;
            double bestLoad = double.MaxValue;
            for (int i = 0; i < ordered.Count; i++)
            {
                if (counts[i] >= ordered[i].MaxNumEnvs) continue;
                double load = (ordered[i].Envs + counts[i]) / (double)Math.Max(ordered[i].Cores, 1);
                if (load < bestLoad)
                {
                    best = i;
                    bestLoad = load;
                }
            }

            counts[best]++;
        }

        return ordered.Select((node, i) => (node, counts[i])).Where(pair => pair.Item2 > 0).OrderBy(pair => pair.node.Name, StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<NodeState> ByLoad(IEnumerable<NodeState> nodes) =>
        nodes.OrderBy(node => node.Envs / (double)Math.Max(node.Cores, 1)).ThenBy(node => node.Name, StringComparer.Ordinal);

    /// <summary>Each node in turn takes as many sub-envs as it may hold, until none are left.</summary>
    private static List<(NodeState Node, int Count)> Fill(IReadOnlyList<NodeState> order, int numEnvs, string envId)
    {
        EnsureRoom(order, numEnvs, envId);
        var plan = new List<(NodeState, int)>();
        int left = numEnvs;
        foreach (var node in order)
        {
            if (left == 0) break;
            int count = Math.Min(left, node.MaxNumEnvs);
            plan.Add((node, count));
            left -= count;
        }

        return plan;
    }

    private static void EnsureRoom(IReadOnlyList<NodeState> candidates, int numEnvs, string envId)
    {
        long room = candidates.Sum(node => (long)node.MaxNumEnvs);
        if (numEnvs <= room) return;
        throw new ArgumentException(candidates.Count == 0
            ? $"no active node offers {envId}"
            : $"{numEnvs} sub-envs do not fit: the {candidates.Count} candidate node(s) offering {envId} take at most {room} ({string.Join(", ", candidates.Select(node => $"{node.Name}: {node.MaxNumEnvs}"))})");
    }
}
