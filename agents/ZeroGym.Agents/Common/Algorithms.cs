namespace ZeroGym.Agents.Common;

/// <summary>
/// The algorithms <c>train</c> and <c>play</c> know, by name. Each algorithm's file has a static <c>Register()</c>
/// that Program.cs calls at startup (tests register their own fakes).
/// </summary>
public static class Algorithms
{
    private static readonly Lock Gate = new();
    private static readonly SortedDictionary<string, Algorithm> Registered = new(StringComparer.Ordinal);

    /// <summary>The registered names, sorted.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (Gate) return [.. Registered.Keys];
        }
    }

    /// <summary>Adds <paramref name="algorithm"/>; a name can be registered once.</summary>
    public static void Register(Algorithm algorithm)
    {
        lock (Gate)
        {
            if (!Registered.TryAdd(algorithm.Name, algorithm))
            {
                throw new InvalidOperationException($"an algorithm named '{algorithm.Name}' is already registered");
            }
        }
    }

    /// <summary>The algorithm called <paramref name="name"/>; an unknown name is an <see cref="AgentException"/> listing the known ones.</summary>
    public static Algorithm Find(string name)
    {
        lock (Gate)
        {
            if (Registered.TryGetValue(name, out var algorithm)) return algorithm;
            string known = Registered.Count == 0 ? "none is registered in this build" : "known: " + string.Join(", ", Registered.Keys);
            throw new AgentException($"unknown algorithm '{name}'; {known}");
        }
    }
}
