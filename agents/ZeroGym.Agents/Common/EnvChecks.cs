using ZeroGym.Protocol.Arrays;
using ZeroGym.Protocol.Spaces;

namespace ZeroGym.Agents.Common;

/// <summary>What the algorithms require of an env's spaces, checked before training with a message that names both.</summary>
public static class EnvChecks
{
    /// <summary>A float32 Box observation of one dimension and a Discrete action; returns their sizes.</summary>
    public static (int ObservationSize, int Actions) FlatBoxAndDiscrete(Space observations, Space actions, string envId, string algorithm) =>
        (observations, actions) switch
        {
            (Box { Shape.Length: 1, DType: DType.Float32 } box, Discrete discrete) => (box.Shape[0], (int)discrete.N),
            _ => throw new AgentException(
                $"{algorithm} needs a float32 Box observation of one dimension and a Discrete action; {envId} has {observations} and {actions}"),
        };

    /// <inheritdoc cref="FlatBoxAndDiscrete(Space, Space, string, string)"/>
    public static (int ObservationSize, int Actions) FlatBoxAndDiscrete(RemoteEnv env, string algorithm) =>
        FlatBoxAndDiscrete(env.ObservationSpace, env.ActionSpace, env.Spec.Id, algorithm);
}
