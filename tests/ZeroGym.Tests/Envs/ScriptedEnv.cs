using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Envs;

/// <summary>
/// A test double whose observations say what happened: [id, steps since reset, last action]. It terminates after
/// <see cref="EpisodeLength"/> steps and reports the infos its callbacks give.
/// </summary>
/// <remarks>Result types are spelt in full: the client's ZeroGym.ResetResult and ZeroGym.StepResult would otherwise win.</remarks>
internal sealed class ScriptedEnv(int id, int episodeLength = int.MaxValue) : Env
{
    private static readonly Box Observations = new(-1000, 1000, [3], DType.Float32);
    private static readonly Discrete Actions = new(3);

    private int steps;

    public int EpisodeLength { get; } = episodeLength;

    public Func<int, IReadOnlyDictionary<string, object?>> StepInfo { get; init; } = _ => Info.Empty;

    public IReadOnlyDictionary<string, object?> ResetInfo { get; init; } = Info.Empty;

    public List<long?> ResetSeeds { get; } = [];

    /// <summary>How long each step takes (an expensive env, as a physics engine or an emulator).</summary>
    public TimeSpan StepCost { get; init; }

    /// <summary>The step (counted from reset) that throws, as a diverging simulation does; null: none.</summary>
    public int? FailAtStep { get; init; }

    public bool Disposed { get; private set; }

    public override Space ObservationSpace => Observations;

    public override Space ActionSpace => Actions;

    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        base.Reset(seed, options);
        ResetSeeds.Add(seed);
        steps = 0;
        return new ResetResult(Observe(-1), ResetInfo);
    }

    public override StepResult Step(object action)
    {
        steps++;
        if (StepCost > TimeSpan.Zero) Thread.Sleep(StepCost);
        if (steps == FailAtStep) throw new InvalidOperationException($"env {id} diverged at step {steps}");
        long chosen = (long)action;
        return new StepResult(Observe(chosen), Reward: 10 * id + chosen, steps >= EpisodeLength, false, StepInfo(steps));
    }

    public override void Dispose()
    {
        Disposed = true;
        base.Dispose();
    }

    private NDArray Observe(long action) => NDArray.From([id, (float)steps, action]);
}
