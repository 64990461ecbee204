using ZeroGym.Arrays;
using ZeroGym.Spaces;

namespace ZeroGym.Agents.Common;

/// <summary>
/// The continuous actions of a float32 Box action space as the actor-critic algorithms see them: the networks and the
/// replay buffer work in [-1, 1] per dimension (an actor's tanh output, exploration noise of the same scale for every
/// dimension), and the env gets <c>low + (a + 1) (high - low) / 2</c>, as CleanRL's action_scale and action_bias do.
/// </summary>
public sealed class BoxActions
{
    private readonly float[] low;
    private readonly float[] high;

    /// <param name="space">A one-dimensional float32 Box with finite bounds.</param>
    /// <param name="envId">Names the env in the error for infinite bounds.</param>
    public BoxActions(Box space, string envId = "the env")
    {
        low = space.Low.AsType(DType.Float32).ToArray<float>();
        high = space.High.AsType(DType.Float32).ToArray<float>();
        if (space.Shape.Length != 1 || low.Concat(high).Any(bound => !float.IsFinite(bound)))
        {
            throw new AgentException($"continuous-action algorithms need a one-dimensional Box action with finite bounds; {envId} has {space}");
        }
    }

    /// <summary>A Box of these bounds, as saved in a checkpoint's state.</summary>
    public BoxActions(float[] low, float[] high)
        : this(new Box(NDArray.From(low, low.Length), NDArray.From(high, high.Length)))
    {
    }

    /// <summary>Values per action.</summary>
    public int Size => low.Length;

    /// <summary>The lower bounds, per dimension (a copy).</summary>
    public float[] Low => (float[])low.Clone();

    /// <summary>The upper bounds, per dimension (a copy).</summary>
    public float[] High => (float[])high.Clone();

    /// <summary>The env's action for a network action: each value clipped to [-1, 1], then mapped onto [low, high].</summary>
    public float[] ToEnv(ReadOnlySpan<float> normalized)
    {
        if (normalized.Length != Size) throw new ArgumentException($"expected {Size} action values; got {normalized.Length}", nameof(normalized));
        var action = new float[Size];
        for (int i = 0; i < action.Length; i++)
        {
            float value = Math.Clamp(normalized[i], -1f, 1f);
            // Clamped again: float rounding must not step past a bound the env checks.
            action[i] = Math.Clamp(low[i] + (value + 1f) * 0.5f * (high[i] - low[i]), low[i], high[i]);
        }

        return action;
    }

    /// <summary>The float32 array the env's Step takes for <paramref name="action"/> (env-scaled values).</summary>
    public static NDArray ToWire(float[] action) => NDArray.From(action, action.Length);
}
