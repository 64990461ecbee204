using System.Globalization;

namespace ZeroGym.Torch;

/// <summary>Layers applied one after the other; layer i's parameters are named "i.…" as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly Module[] layers;

    /// <summary>Owns <paramref name="layers"/>: disposing the sequence disposes them.</summary>
    public Sequential(params Module[] layers)
    {
        this.layers = (Module[])layers.Clone();
        for (int i = 0; i < this.layers.Length; i++) RegisterChild(i.ToString(CultureInfo.InvariantCulture), this.layers[i]);
    }

    /// <summary>
    /// The last layer's output. Intermediate outputs are disposed on the way (autograd keeps what it needs), so
    /// their native memory does not wait for a dispose scope or the garbage collector.
    /// </summary>
    public override Tensor Forward(Tensor input)
    {
        Tensor current = input;
        foreach (Module layer in layers)
        {
            Tensor next = layer.Forward(current);
            if (!ReferenceEquals(current, input) && !ReferenceEquals(current, next)) current.Dispose();
            current = next;
        }

        return current;
    }
}
