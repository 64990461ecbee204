namespace ZeroGym.Torch;

/// <summary>
/// Every <see cref="Tensor"/> created on this thread while the scope is the innermost one is disposed with it,
/// unless moved out with <see cref="MoveToOuter"/>. A scope around each training step keeps native memory flat
/// without a using per intermediate tensor. Scopes nest; dispose them innermost first on the thread that made them.
/// Module parameters and optimiser state never belong to a scope.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic]
    private static DisposeScope? innermost;

    private readonly DisposeScope? outer;
    private readonly List<Tensor> tensors = [];
    private bool disposed;

    internal DisposeScope()
    {
        outer = innermost;
        innermost = this;
    }

    /// <summary>
    /// Hands <paramref name="tensor"/> (created in this scope) to the enclosing scope, or to the caller when this
    /// scope is the outermost one; returns it for chaining.
    /// </summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (tensor.Scope != this)
        {
            throw new InvalidOperationException("MoveToOuter expects a tensor that belongs to this scope; this one "
                + (tensor.Scope is null ? "belongs to no scope" : "belongs to another scope"));
        }

        tensor.Scope = outer;
        outer?.tensors.Add(tensor);
        return tensor;
    }

    /// <summary>Disposes the scope's tensors and makes the enclosing scope the innermost again.</summary>
    public void Dispose()
    {
        if (disposed) return;
        if (innermost != this)
        {
            throw new InvalidOperationException(
                "dispose scopes must be disposed innermost first, on the thread that created them");
        }

        disposed = true;
        innermost = outer;
        foreach (Tensor tensor in tensors)
        {
            // Tensors moved out meanwhile are still listed here but point at their new owner.
            if (tensor.Scope != this) continue;
            tensor.Scope = null;
            tensor.Dispose();
        }

        tensors.Clear();
    }

    /// <summary>Puts a new tensor into the innermost scope of this thread, if there is one.</summary>
    internal static void Adopt(Tensor tensor)
    {
        DisposeScope? scope = innermost;
        if (scope is null) return;
        tensor.Scope = scope;
        scope.tensors.Add(tensor);
    }
}
