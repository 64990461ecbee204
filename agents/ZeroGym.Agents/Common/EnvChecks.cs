using ZeroGym.Arrays;
using ZeroGym.Spaces;

namespace ZeroGym.Agents.Common;

/// <summary>What the algorithms require of an env's spaces, checked before training with a message that names both.</summary>
public static class EnvChecks
{
    /// <summary>A float32 Box observation of one dimension and a Discrete action; returns their sizes.</summary>
    public static (int ObservationSize, int Actions) FlatBoxAndDiscrete(Space observations, Space actions, string envId, string algorithm) =>
        (observations, actions) switch
        {
            (Box { Shape.Length: 1, DType: DType.Float32 } box, Discrete discrete) => (box.Shape[0], (int)discrete.N),
            (_, not Discrete) => throw new AgentException($"{algorithm} needs a Discrete action space; {envId} has {actions}"),
            _ => throw new AgentException(
                $"{algorithm} needs a float32 Box observation of one dimension and a Discrete action; {envId} has {observations} and {actions}"),
        };

    /// <inheritdoc cref="FlatBoxAndDiscrete(Space, Space, string, string)"/>
    public static (int ObservationSize, int Actions) FlatBoxAndDiscrete(RemoteEnv env, string algorithm) =>
        FlatBoxAndDiscrete(env.ObservationSpace, env.ActionSpace, env.Spec.Id, algorithm);

    /// <summary>
    /// A Box observation of one dimension (float32, or float64 which the networks read as float32) and a float32 Box
    /// action of one dimension with finite bounds; returns the observation size and the action space's scaling.
    /// </summary>
    public static (int ObservationSize, BoxActions Actions) FlatBoxAndBox(Space observations, Space actions, string envId, string algorithm)
    {
        if (actions is not Box { Shape.Length: 1, DType: DType.Float32 } actionBox)
        {
            throw new AgentException($"{algorithm} needs a Box action space (float32, one dimension); {envId} has {actions}");
        }

        if (observations is not Box { Shape.Length: 1, DType: DType.Float32 or DType.Float64 } observationBox)
        {
            throw new AgentException($"{algorithm} needs a float32 or float64 Box observation of one dimension; {envId} has {observations}");
        }

        return (observationBox.Shape[0], new BoxActions(actionBox, envId));
    }

    /// <inheritdoc cref="FlatBoxAndBox(Space, Space, string, string)"/>
    public static (int ObservationSize, BoxActions Actions) FlatBoxAndBox(RemoteEnv env, string algorithm) =>
        FlatBoxAndBox(env.ObservationSpace, env.ActionSpace, env.Spec.Id, algorithm);

    /// <summary>
    /// A uint8 Box observation of stacked frames [stack, height, width] (the frame_stack wrapper's, e.g. the
    /// <c>mario</c> wrappers' 4×84×84) and a Discrete action; returns the frame shape and the number of actions.
    /// </summary>
    public static (int Stack, int Height, int Width, int Actions) StackedFramesAndDiscrete(RemoteEnv env, string algorithm) =>
        (env.ObservationSpace, env.ActionSpace) switch
        {
            (Box { Shape.Length: 3, DType: DType.UInt8 } box, Discrete discrete) => (box.Shape[0], box.Shape[1], box.Shape[2], (int)discrete.N),
            (_, not Discrete) => throw new AgentException($"{algorithm} needs a Discrete action space; {env.Spec.Id} has {env.ActionSpace}"),
            _ => throw new AgentException(
                $"{algorithm} needs a uint8 Box observation of stacked frames [stack, height, width] and a Discrete action; {env.Spec.Id} has " +
                $"{env.ObservationSpace} and {env.ActionSpace} (the env kwarg wrappers=mario makes 4x84x84 frames)"),
        };
}
