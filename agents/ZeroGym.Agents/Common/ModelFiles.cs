using System.Globalization;
using ZeroGym.Torch;

namespace ZeroGym.Agents.Common;

/// <summary>
/// Networks and optimiser state in a checkpoint folder, as safetensors that PyTorch and numpy read:
/// <c>model.safetensors</c> holds each network's parameters under its name ("q.0.weight", "target.0.weight"),
/// <c>optimizer.safetensors</c> the optimiser's state tensors with its step count in the metadata.
/// </summary>
public static class ModelFiles
{
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    private const string StepCountKey = "step_count";

    public static void Save(string directory, IReadOnlyList<(string Name, Module Network)> networks, Optimizer? optimizer = null)
    {
        SafeTensors.Save(Path.Combine(directory, ModelFile), Named(networks));
        if (optimizer is null) return;
        SafeTensors.Save(Path.Combine(directory, OptimizerFile), optimizer.NamedState(),
            new Dictionary<string, string> { [StepCountKey] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture) });
    }

    /// <summary>Loads into existing networks (and optimiser) of the same shapes; a mismatch names the tensor.</summary>
    public static void Load(string directory, IReadOnlyList<(string Name, Module Network)> networks, Optimizer? optimizer = null)
    {
        SafeTensors.LoadInto(Path.Combine(directory, ModelFile), Named(networks));
        if (optimizer is null) return;
        string path = Path.Combine(directory, OptimizerFile);
        SafeTensors.LoadInto(path, optimizer.NamedState());
        var (tensors, metadata) = SafeTensors.Load(path);
        foreach (var tensor in tensors.Values) tensor.Dispose();
        optimizer.StepCount = long.Parse(metadata[StepCountKey], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Saves several optimisers (an actor's and a critic's) into one <c>optimizer.safetensors</c>: each one's state
    /// tensors under its name ("actor.0.exp_avg"), its step count in the metadata ("actor.step_count").
    /// </summary>
    public static void Save(string directory, IReadOnlyList<(string Name, Module Network)> networks, IReadOnlyList<(string Name, Optimizer Optimizer)> optimizers)
    {
        SafeTensors.Save(Path.Combine(directory, ModelFile), Named(networks));
        SafeTensors.Save(Path.Combine(directory, OptimizerFile), NamedStates(optimizers),
            optimizers.ToDictionary(pair => $"{pair.Name}.{StepCountKey}", pair => pair.Optimizer.StepCount.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Loads what <see cref="Save(string, IReadOnlyList{ValueTuple{string, Module}}, IReadOnlyList{ValueTuple{string, Optimizer}})"/> wrote.</summary>
    public static void Load(string directory, IReadOnlyList<(string Name, Module Network)> networks, IReadOnlyList<(string Name, Optimizer Optimizer)> optimizers)
    {
        SafeTensors.LoadInto(Path.Combine(directory, ModelFile), Named(networks));
        string path = Path.Combine(directory, OptimizerFile);
        SafeTensors.LoadInto(path, NamedStates(optimizers));
        var (tensors, metadata) = SafeTensors.Load(path);
        foreach (var tensor in tensors.Values) tensor.Dispose();
        foreach (var (name, optimizer) in optimizers)
        {
            optimizer.StepCount = long.Parse(metadata[$"{name}.{StepCountKey}"], CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// The input and output sizes of a saved multilayer perceptron: the column count of its first weight and the row
    /// count of its last ("q.0.weight" ... "q.4.weight" for <paramref name="network"/> "q").
    /// </summary>
    public static (int Inputs, int Outputs) InputOutputSizes(string directory, string network)
    {
        var (tensors, _) = SafeTensors.Load(Path.Combine(directory, ModelFile));
        try
        {
            var weights = tensors
                .Where(pair => pair.Key.StartsWith(network + ".", StringComparison.Ordinal) && pair.Key.EndsWith(".weight", StringComparison.Ordinal))
                .OrderBy(pair => int.Parse(pair.Key.Split('.')[1], CultureInfo.InvariantCulture))
                .Select(pair => pair.Value.Shape)
                .ToList();
            if (weights.Count == 0) throw new AgentException($"{directory}/{ModelFile} has no weights of a network '{network}'");
            return ((int)weights[0][1], (int)weights[^1][0]);
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
    }

    private static List<(string Name, Tensor Tensor)> NamedStates(IReadOnlyList<(string Name, Optimizer Optimizer)> optimizers) =>
        [.. optimizers.SelectMany(pair => pair.Optimizer.NamedState().Select(state => ($"{pair.Name}.{state.Name}", state.State)))];

    private static List<(string Name, Tensor Tensor)> Named(IReadOnlyList<(string Name, Module Network)> networks)
    {
        var named = new List<(string Name, Tensor Tensor)>();
        foreach (var (prefix, network) in networks)
        {
            foreach (var (name, parameter) in network.NamedParameters()) named.Add(($"{prefix}.{name}", parameter));
        }

        return named;
    }
}
