using ZeroGym;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;

namespace OwnProcessEnvs;

/// <summary>
/// An env whose spec says <see cref="EnvSpec.NeedsOwnProcess"/>, as an env with crash-prone native code would, and
/// which tells where it runs.
///
/// <para><b>Description.</b> Nothing moves; each step's info holds <c>pid</c>, the id of the process running the env.</para>
/// <para><b>Action space.</b> <c>Discrete(2)</c>, ignored.</para>
/// <para><b>Observation space.</b> <c>Discrete(3)</c>: always 0.</para>
/// <para><b>Rewards.</b> 0.</para>
/// <para><b>Episode end.</b> Truncated after 10 steps (the spec's time limit).</para>
/// <para><b>Arguments.</b> None. The environment variables of the process that constructs it steer it:
/// <c>OWN_PROCESS_ENV_MAKES</c> names a file it appends its process id to (one line a construction), and
/// <c>OWN_PROCESS_ENV_CRASH=1</c> makes it end its process at once (<see cref="Environment.FailFast(string)"/>),
/// as a native crash would.</para>
/// </summary>
public sealed class OwnProcessEnv : Env
{
    /// <summary>The variable naming the file each construction appends its process id to.</summary>
    public const string MakesVariable = "OWN_PROCESS_ENV_MAKES";

    /// <summary>The variable that, set to 1, makes the construction end its process.</summary>
    public const string CrashVariable = "OWN_PROCESS_ENV_CRASH";

    public OwnProcessEnv()
    {
        if (Environment.GetEnvironmentVariable(MakesVariable) is { Length: > 0 } makes)
        {
            File.AppendAllText(makes, $"{Environment.ProcessId}\n");
        }

        if (Environment.GetEnvironmentVariable(CrashVariable) == "1")
        {
            Environment.FailFast($"{nameof(OwnProcessEnv)}: {CrashVariable}=1, crashing on construction as a broken native library would");
        }
    }

    /// <summary>The spec its family registers.</summary>
    public static EnvSpec Spec { get; } = new(
        "OwnProcess-v0",
        (_, _) => new OwnProcessEnv(),
        new Dictionary<string, object?>(),
        MaxEpisodeSteps: 10,
        RewardThreshold: null,
        RenderModes: [],
        RenderFps: 0,
        Description: "A test env that runs in a worker process of its own",
        NeedsOwnProcess: true);

    public override Space ObservationSpace { get; } = new Discrete(3);

    public override Space ActionSpace { get; } = new Discrete(2);

    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        base.Reset(seed, options);
        return new ResetResult(0L, Info.Empty);
    }

    public override StepResult Step(object action) =>
        new(0L, 0, false, false, new Dictionary<string, object?> { ["pid"] = (long)Environment.ProcessId });
}
