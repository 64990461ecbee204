namespace ZeroGym.Torch;

/// <summary>
/// A network layer or a composition of layers. A module owns its parameters (leaf tensors that require grad and
/// never belong to a dispose scope) and its child modules; disposing the module disposes them. Parameter names
/// are dotted paths as in PyTorch's state_dict ("0.weight", "2.bias"), so checkpoints match PyTorch's names.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> ownParameters = [];
    private readonly List<(string Name, Module Module)> children = [];

    /// <summary>The module applied to <paramref name="input"/>.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Every parameter with its dotted name, in registration order (children in order, depth first).</summary>
    public IReadOnlyList<(string Name, Tensor Parameter)> NamedParameters()
    {
        var named = new List<(string Name, Tensor Parameter)>();
        CollectParameters("", named);
        return named;
    }

    /// <summary>Every parameter, in the order of <see cref="NamedParameters"/>.</summary>
    public IReadOnlyList<Tensor> Parameters()
    {
        var named = NamedParameters();
        var parameters = new Tensor[named.Count];
        for (int i = 0; i < parameters.Length; i++) parameters[i] = named[i].Parameter;
        return parameters;
    }

    /// <summary>Drops every parameter's gradient (grad = None).</summary>
    public void ZeroGrad()
    {
        foreach (var (_, parameter) in ownParameters) parameter.ZeroGrad();
        foreach (var (_, child) in children) child.ZeroGrad();
    }

    /// <summary>
    /// Moves every parameter to <paramref name="device"/> (replacing it by a new leaf there) and returns this
    /// module. Do it before creating an optimiser, which keeps the parameters it was given.
    /// </summary>
    public Module To(Device device) => ReplaceParameters(parameter => parameter.Device == device
        ? null
        : parameter.To(device));

    /// <summary>
    /// Converts every parameter to <paramref name="type"/> (replacing it by a new leaf) and returns this module,
    /// e.g. Float64 for gradient checks. Do it before creating an optimiser, which keeps the parameters it was given.
    /// </summary>
    public Module To(ScalarType type) => ReplaceParameters(parameter => parameter.Type == type
        ? null
        : parameter.To(type));

    /// <summary>Copies <paramref name="other"/>'s parameters into this module's (same architecture), as for a
    /// target network; not recorded by autograd.</summary>
    public void CopyParametersFrom(Module other)
    {
        var targets = NamedParameters();
        var sources = MatchingParameters(other, targets);
        using (LibTorch.NoGrad())
        {
            for (int i = 0; i < targets.Count; i++) targets[i].Parameter.CopyFrom(sources[i].Parameter);
        }
    }

    /// <summary>θ ← τ θ' + (1 − τ) θ for every parameter θ of this module and θ' of <paramref name="other"/>
    /// (Polyak averaging of a target network); not recorded by autograd.</summary>
    public void SoftUpdateFrom(Module other, double tau)
    {
        var targets = NamedParameters();
        var sources = MatchingParameters(other, targets);
        for (int i = 0; i < targets.Count; i++) targets[i].Parameter.LerpInPlace(sources[i].Parameter, tau);
    }

    /// <summary>Disposes the parameters and child modules.</summary>
    public void Dispose()
    {
        foreach (var (_, parameter) in ownParameters) parameter.Dispose();
        foreach (var (_, child) in children) child.Dispose();
    }

    /// <summary>
    /// Makes <paramref name="initial"/> a parameter named <paramref name="name"/>: a leaf that requires grad and
    /// is owned by this module. Returns its slot for <see cref="Parameter"/>.
    /// </summary>
    protected int RegisterParameter(string name, Tensor initial)
    {
        initial.Unscoped().RequiresGrad = true;
        ownParameters.Add((name, initial));
        return ownParameters.Count - 1;
    }

    /// <summary>The current tensor of the parameter in <paramref name="slot"/> (moving or converting the module
    /// replaces it).</summary>
    protected Tensor Parameter(int slot) => ownParameters[slot].Tensor;

    /// <summary>Adds <paramref name="child"/>, whose parameters are named "<paramref name="name"/>.…".</summary>
    protected void RegisterChild(string name, Module child) => children.Add((name, child));

    /// <summary>A parameter tensor of <paramref name="shape"/> drawn from U(−1/√fanIn, 1/√fanIn) with torch's
    /// generator: PyTorch's default initialisation of Linear and Conv2d weights (kaiming_uniform_ with a = √5)
    /// and biases.</summary>
    protected static Tensor UniformInitialised(ReadOnlySpan<long> shape, long fanIn, Device? device)
    {
        Tensor tensor = Tensor.Zeros(shape, ScalarType.Float32, device);
        double bound = 1 / Math.Sqrt(fanIn);
        tensor.UniformInPlace(-bound, bound);
        return tensor;
    }

    // convert returns the new value of a parameter, or null to keep it.
    private Module ReplaceParameters(Func<Tensor, Tensor?> convert)
    {
        for (int i = 0; i < ownParameters.Count; i++)
        {
            var (name, parameter) = ownParameters[i];
            using Tensor? converted = convert(parameter);
            if (converted is null) continue;
            Tensor replacement = converted.Detach().Unscoped();
            replacement.RequiresGrad = parameter.RequiresGrad;
            ownParameters[i] = (name, replacement);
            parameter.Dispose();
        }

        foreach (var (_, child) in children) child.ReplaceParameters(convert);
        return this;
    }

    private void CollectParameters(string prefix, List<(string Name, Tensor Parameter)> named)
    {
        foreach (var (name, parameter) in ownParameters) named.Add((prefix + name, parameter));
        foreach (var (name, child) in children) child.CollectParameters(prefix + name + ".", named);
    }

    private static IReadOnlyList<(string Name, Tensor Parameter)> MatchingParameters(
        Module other, IReadOnlyList<(string Name, Tensor Parameter)> targets)
    {
        var sources = other.NamedParameters();
        if (sources.Count != targets.Count)
        {
            throw new ArgumentException(
                $"expected a module with {targets.Count} parameters, found {sources.Count}", nameof(other));
        }

        for (int i = 0; i < targets.Count; i++)
        {
            if (sources[i].Name != targets[i].Name)
            {
                throw new ArgumentException(
                    $"expected parameter {i} to be {targets[i].Name}, found {sources[i].Name}", nameof(other));
            }

            long[] expected = targets[i].Parameter.Shape;
            long[] found = sources[i].Parameter.Shape;
            if (!expected.AsSpan().SequenceEqual(found))
            {
                throw new ArgumentException(
                    $"expected parameter {targets[i].Name} of shape [{string.Join(", ", expected)}], "
                    + $"found [{string.Join(", ", found)}]", nameof(other));
            }
        }

        return sources;
    }
}
