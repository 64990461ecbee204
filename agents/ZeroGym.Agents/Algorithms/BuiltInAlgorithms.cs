namespace ZeroGym.Agents;

/// <summary>Registers every algorithm of this project with the train and play commands, once per process.</summary>
public static class BuiltInAlgorithms
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        Dqn.Register();
        Reinforce.Register();
        A2c.Register();
        Ppo.Register();
        Ddpg.Register();
        Td3.Register();
        Sac.Register();
        MarioDdqn.Register();
        return true;
    });

    public static void Register() => _ = Registered.Value;
}
