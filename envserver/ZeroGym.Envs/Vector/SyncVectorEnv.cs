using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Vector;

/// <summary>
/// N envs stepped one after the other in the caller's thread, as Gymnasium 1.x's <c>SyncVectorEnv</c>. With autoreset
/// mode <see cref="AutoresetMode.NextStep"/> (the default) a sub-env that terminates or truncates at step t returns its
/// last observation, reward and flags at step t as usual; at step t + 1 its action is ignored and it is reset instead,
/// returning the reset observation and info with reward 0 and both flags false. <see cref="AutoresetMode.SameStep"/>
/// and <see cref="AutoresetMode.Disabled"/> are Gymnasium's other two modes.
/// </summary>
/// <remarks>
/// <para>The vector env owns its sub-envs and disposes them. Like every env it is single-threaded: one caller at a time,
/// except that <see cref="StepSubEnv"/> and <see cref="ResetSubEnv"/> may run for different sub-envs on different
/// threads at once (a server steps expensive sub-envs on worker threads that way).</para>
/// <para>Sub-envs whose steps are expensive (a physics engine, an emulator) are stepped on several cores at once: the
/// first steps are timed one after the other, and when a whole step takes longer than <see cref="ParallelThreshold"/>
/// the sub-envs are handed out one at a time to the caller and helper threads, up to one thread per core. Each sub-env
/// is still used by one thread at a time and results are gathered in order, so what a step returns does not depend on
/// it; CartPole stays on one thread, where handing work to other cores would cost more than it saves.</para>
/// </remarks>
public sealed class SyncVectorEnv : IDisposable
{
    /// <summary>A step that takes longer than this one after the other is spread over the cores.</summary>
    public static readonly TimeSpan ParallelThreshold = TimeSpan.FromMicroseconds(200);

    // The first steps run code the JIT has not optimised yet: they are left out of the timing.
    private const int UntimedSteps = 2;
    private const int TimedSteps = 3;

    private readonly Env[] envs;
    private readonly bool[] needsAutoreset;
    private readonly object?[] lastObservations;
    private readonly int workers = Math.Min(Environment.ProcessorCount, 64);
    private readonly ParallelOptions parallelOptions;
    private bool hasReset;
    private int stepsTimed;
    private TimeSpan timeStepping;

    /// <summary>Vectorizes <paramref name="envs"/>, which must all have the same observation and action spaces.</summary>
    public SyncVectorEnv(IReadOnlyList<Env> envs, AutoresetMode autoresetMode = AutoresetMode.NextStep)
    {
        AutoresetMode = autoresetMode;
        if (envs.Count == 0) throw new ArgumentException("a vector env needs at least one env", nameof(envs));
        this.envs = [.. envs];
        SingleObservationSpace = envs[0].ObservationSpace;
        SingleActionSpace = envs[0].ActionSpace;
        for (int i = 1; i < envs.Count; i++)
        {
            if (!envs[i].ObservationSpace.Equals(SingleObservationSpace) || !envs[i].ActionSpace.Equals(SingleActionSpace))
            {
                throw new ArgumentException(
                    $"every sub-env must have env 0's spaces, observation {SingleObservationSpace} and action {SingleActionSpace}; " +
                    $"env {i} has observation {envs[i].ObservationSpace} and action {envs[i].ActionSpace}",
                    nameof(envs));
            }
        }

        ObservationSpace = Batching.BatchSpace(SingleObservationSpace, envs.Count);
        ActionSpace = Batching.BatchSpace(SingleActionSpace, envs.Count);
        needsAutoreset = new bool[envs.Count];
        lastObservations = new object?[envs.Count];
        parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = workers };
    }

    /// <summary>What happens to a sub-env whose episode ended (Gymnasium's <c>autoreset_mode</c>).</summary>
    public AutoresetMode AutoresetMode { get; }

    /// <summary>Whether sub-env <paramref name="envId"/> ended on its last step and was not reset since.</summary>
    public bool HasEnded(int envId) => needsAutoreset[envId];

    /// <summary>True once the timed steps showed the sub-envs are worth stepping on several cores.</summary>
    public bool SteppingInParallel { get; private set; }

    /// <summary>N, the number of sub-envs.</summary>
    public int NumEnvs => envs.Length;

    /// <summary>The sub-envs, in index order.</summary>
    public IReadOnlyList<Env> Envs => envs;

    /// <summary>The observation space of one sub-env.</summary>
    public Space SingleObservationSpace { get; }

    /// <summary>The action space of one sub-env.</summary>
    public Space SingleActionSpace { get; }

    /// <summary>The space of batched observations, <c>batch_space(single_observation_space, N)</c>.</summary>
    public Space ObservationSpace { get; }

    /// <summary>The space of batched actions, <c>batch_space(single_action_space, N)</c>.</summary>
    public Space ActionSpace { get; }

    /// <summary>
    /// Resets every sub-env, or with <paramref name="mask"/> those it marks (Gymnasium's <c>reset_mask</c>: the others
    /// keep their last observation, and only the reset ones add to the info). <paramref name="seeds"/> holds one seed per
    /// sub-env (null keeps that sub-env's generator); a null list keeps every generator. The same
    /// <paramref name="options"/> go to each sub-env reset.
    /// </summary>
    public VectorResetResult Reset(IReadOnlyList<long?>? seeds = null, IReadOnlyDictionary<string, object?>? options = null, IReadOnlyList<bool>? mask = null)
    {
        if (mask is not null && (mask.Count != NumEnvs || !mask.Contains(true)))
        {
            throw new ArgumentException($"reset_mask must hold one bool per sub-env ({NumEnvs}), at least one true; got {mask.Count} with {mask.Count(reset => reset)} true", nameof(mask));
        }

        if (mask is not null && !hasReset) throw new ArgumentException("reset_mask resets some sub-envs of a vector env that has been reset as a whole before; reset it without a mask first", nameof(mask));
        // Checked here so that a bad seed for a later sub-env cannot leave the earlier ones reset.
        if (seeds is not null && seeds.Count != NumEnvs)
        {
            throw new ArgumentException($"Reset needs one seed per sub-env ({NumEnvs}); got {seeds.Count}", nameof(seeds));
        }

        for (int i = 0; i < NumEnvs; i++)
        {
            if (seeds?[i] is < 0) throw new ArgumentException($"seeds must be non-negative integers; seed {i} is {seeds[i]}", nameof(seeds));
        }

        var info = new Dictionary<string, object?>();
        for (int i = 0; i < NumEnvs; i++)
        {
            if (mask is not null && !mask[i]) continue;
            var result = envs[i].Reset(seeds?[i], options);
            lastObservations[i] = result.Observation;
            needsAutoreset[i] = false;
            VectorInfo.Add(info, result.Info, i, NumEnvs);
        }

        hasReset = true;
        return new VectorResetResult(Batching.Concatenate(SingleObservationSpace, lastObservations!), info);
    }

    /// <summary>
    /// Steps every sub-env with its action from <paramref name="actions"/>, a canonical value of
    /// <see cref="ActionSpace"/> (for a Discrete action space an int64 array (N,)); sub-envs that ended are reset as
    /// <see cref="AutoresetMode"/> says.
    /// </summary>
    /// <exception cref="InvalidOperationException">With autoreset disabled, a sub-env that ended and was not reset.</exception>
    public VectorStepResult Step(object actions)
    {
        if (!hasReset) throw new InvalidOperationException("SyncVectorEnv: Step called before Reset");
        // Checked before any sub-env steps, so that a refused step changes nothing.
        if (AutoresetMode == AutoresetMode.Disabled && Array.IndexOf(needsAutoreset, true) is int ended and >= 0) throw EndedWithoutAutoreset(ended);
        var perEnv = Batching.Iterate(SingleActionSpace, actions, NumEnvs);
        var observations = new object[NumEnvs];
        var rewards = new double[NumEnvs];
        var terminated = new bool[NumEnvs];
        var truncated = new bool[NumEnvs];
        var infos = new IReadOnlyDictionary<string, object?>[NumEnvs];
        void StepRange(int start, int end)
        {
            for (int i = start; i < end; i++) (observations[i], rewards[i], terminated[i], truncated[i], infos[i]) = StepOne(i, perEnv[i]);
        }

        if (SteppingInParallel)
        {
            StepInParallel(StepRange);
        }
        else
        {
            long started = Stopwatch.GetTimestamp();
            StepRange(0, NumEnvs);
            DecideOnParallelism(Stopwatch.GetElapsedTime(started));
        }

        var info = new Dictionary<string, object?>();
        for (int i = 0; i < NumEnvs; i++) VectorInfo.Add(info, infos[i], i, NumEnvs);
        return new VectorStepResult(Batching.Concatenate(SingleObservationSpace, observations), rewards, terminated, truncated, info);
    }

    /// <summary>
    /// Steps only the sub-envs <paramref name="envIds"/> (distinct indices), each with its action from
    /// <paramref name="actions"/> (single-env values, in the same order), with the same per-sub-env autoreset as
    /// <see cref="Step"/>. A sub-env that throws does not stop the others: its exception comes back in its result.
    /// <paramref name="finished"/> gets each result as that sub-env finishes (one call at a time): in the order of
    /// <paramref name="envIds"/> when stepped one after the other, in the order they finish when stepped in parallel.
    /// </summary>
    public void StepSome(IReadOnlyList<int> envIds, IReadOnlyList<object> actions, Action<SubEnvResult> finished)
    {
        if (envIds.Count != actions.Count) throw new ArgumentException($"StepSome needs one action per sub-env ({envIds.Count}); got {actions.Count}", nameof(actions));
        RunSome(envIds, finished, actions);
    }

    /// <summary>
    /// Resets only the sub-envs <paramref name="envIds"/>, sub-env <c>envIds[k]</c> with <c>seeds[k]</c> (null keeps
    /// its generator) and <paramref name="options"/>; results and failures come back as <see cref="StepSome"/>'s do,
    /// a reset being a result with reward 0 and both flags false.
    /// </summary>
    public void ResetSome(IReadOnlyList<int> envIds, IReadOnlyList<long?> seeds, IReadOnlyDictionary<string, object?>? options, Action<SubEnvResult> finished)
    {
        if (envIds.Count != seeds.Count) throw new ArgumentException($"ResetSome needs one seed per sub-env ({envIds.Count}); got {seeds.Count}", nameof(seeds));
        RunSome(envIds, finished, reset: new ResetArguments(seeds, options));
    }

    /// <summary>Puts <paramref name="env"/> in place of sub-env <paramref name="envId"/> (one that failed) and returns the one it replaces, for the caller to dispose.</summary>
    public Env Replace(int envId, Env env)
    {
        if (!env.ObservationSpace.Equals(SingleObservationSpace) || !env.ActionSpace.Equals(SingleActionSpace))
        {
            throw new ArgumentException($"a replacement sub-env must have observation {SingleObservationSpace} and action {SingleActionSpace}; got {env.ObservationSpace} and {env.ActionSpace}", nameof(env));
        }

        var old = envs[envId];
        envs[envId] = env;
        needsAutoreset[envId] = false;
        lastObservations[envId] = null;
        return old;
    }

    /// <summary>
    /// Steps sub-env <paramref name="envId"/> alone with <paramref name="action"/> (a single-env value), with the
    /// autoreset of <see cref="AutoresetMode"/>; an exception comes back in the result rather than thrown. Safe to call
    /// for different sub-envs from different threads at once, as long as each sub-env has one caller at a time and
    /// nothing else (<see cref="Step"/>, <see cref="Reset"/>, <see cref="Replace"/>) runs meanwhile.
    /// </summary>
    public SubEnvResult StepSubEnv(int envId, object action)
    {
        try
        {
            var (observation, reward, terminated, truncated, info) = StepOne(envId, action);
            return new SubEnvResult(envId, observation, reward, terminated, truncated, info, null);
        }
        catch (Exception failure)
        {
            return new SubEnvResult(envId, null, 0, false, false, null, failure);
        }
    }

    /// <summary>
    /// Resets sub-env <paramref name="envId"/> alone with <paramref name="seed"/> (null keeps its generator) and
    /// <paramref name="options"/>: a result with reward 0 and both flags false, or the exception it threw. Safe to call
    /// across threads as <see cref="StepSubEnv"/> is. It does not count as a reset of the whole vector env for
    /// <see cref="Step"/>: that takes <see cref="Reset"/>, or <see cref="ResetSome"/> of every sub-env.
    /// </summary>
    public SubEnvResult ResetSubEnv(int envId, long? seed, IReadOnlyDictionary<string, object?>? options)
    {
        try
        {
            var (observation, info) = envs[envId].Reset(seed, options);
            (lastObservations[envId], needsAutoreset[envId]) = (observation, false);
            return new SubEnvResult(envId, observation, 0, false, false, info, null);
        }
        catch (Exception failure)
        {
            return new SubEnvResult(envId, null, 0, false, false, null, failure);
        }
    }

    /// <summary>
    /// The loop of <see cref="StepSome"/> and <see cref="ResetSome"/>: entry k steps with <paramref name="actions"/>[k],
    /// or resets when <paramref name="reset"/> is given.
    /// </summary>
    private void RunSome(
        IReadOnlyList<int> envIds, Action<SubEnvResult> finished, IReadOnlyList<object>? actions = null,
        ResetArguments? reset = null)
    {
        if (SteppingInParallel && envIds.Count > 1)
        {
            RunSomeInParallel(envIds, finished, actions, reset);
        }
        else
        {
            // One after the other, with no lock and no closure: a cheap env's step costs little more than this loop.
            long started = Stopwatch.GetTimestamp();
            for (int k = 0; k < envIds.Count; k++) finished(RunOne(envIds, k, actions, reset));
            if (reset is null) DecideOnParallelism(Stopwatch.GetElapsedTime(started) * NumEnvs / envIds.Count);
        }

        // Resetting every sub-env is what Reset does: Step may follow.
        if (reset is not null && envIds.Count == NumEnvs) hasReset = true;
    }

    private void RunSomeInParallel(
        IReadOnlyList<int> envIds, Action<SubEnvResult> finished, IReadOnlyList<object>? actions,
        ResetArguments? reset)
    {
        var gate = new Lock();
        Parallel.For(0, envIds.Count, parallelOptions, k =>
        {
            var result = RunOne(envIds, k, actions, reset);
            lock (gate) finished(result);
        });
    }

    private SubEnvResult RunOne(
        IReadOnlyList<int> envIds, int k, IReadOnlyList<object>? actions, ResetArguments? reset) =>
        reset is { } resetWith ? ResetSubEnv(envIds[k], resetWith.Seeds[k], resetWith.Options) : StepSubEnv(envIds[k], actions![k]);

    /// <summary>One sub-env's step, with the autoreset of <see cref="AutoresetMode"/>; safe to call for different sub-envs at once.</summary>
    private StepResult StepOne(int i, object action)
    {
        var env = envs[i];
        StepResult result;
        if (needsAutoreset[i] && AutoresetMode == AutoresetMode.NextStep)
        {
            var (observation, info) = env.Reset();
            result = new StepResult(observation, 0, false, false, info);
        }
        else if (needsAutoreset[i] && AutoresetMode == AutoresetMode.Disabled)
        {
            throw EndedWithoutAutoreset(i);
        }
        else
        {
            result = env.Step(action);
        }

        bool ended = result.Terminated || result.Truncated;
        if (ended && AutoresetMode == AutoresetMode.SameStep)
        {
            // Gymnasium's same-step layout: the reset observation, the final one in the info beside the reset info.
            var (observation, info) = env.Reset();
            var merged = new Dictionary<string, object?> { ["final_obs"] = result.Observation, ["final_info"] = result.Info };
            foreach (var (key, value) in info) merged[key] = value;
            result = result with { Observation = observation, Info = merged };
            ended = false;
        }

        (lastObservations[i], needsAutoreset[i]) = (result.Observation, ended);
        return result;
    }

    private static InvalidOperationException EndedWithoutAutoreset(int envId) =>
        new($"sub-env {envId} ended and autoreset is disabled: reset it (reset_mask) before stepping it again");

    private void DecideOnParallelism(TimeSpan elapsed)
    {
        if (stepsTimed >= UntimedSteps + TimedSteps || workers < 2 || NumEnvs < 2) return;
        if (++stepsTimed <= UntimedSteps) return;
        timeStepping += elapsed;
        if (stepsTimed == UntimedSteps + TimedSteps) SteppingInParallel = timeStepping / TimedSteps > ParallelThreshold;
    }

    /// <summary>
    /// The sub-envs taken one at a time by whichever thread is free, the caller included: on a shared machine a helper
    /// thread may start late, and then the caller steps the sub-envs it has not reached instead of waiting for it.
    /// The first failure is rethrown as it was thrown.
    /// </summary>
    private void StepInParallel(Action<int, int> stepRange)
    {
        ExceptionDispatchInfo? failure = null;
        Parallel.For(0, NumEnvs, parallelOptions, i =>
        {
            try
            {
                stepRange(i, i + 1);
            }
            catch (Exception error)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(error), null);
            }
        });
        failure?.Throw();
    }

    /// <summary>The current frame of each sub-env, in order.</summary>
    public IReadOnlyList<NDArray> Render()
    {
        var frames = new NDArray[NumEnvs];
        for (int i = 0; i < frames.Length; i++) frames[i] = envs[i].Render();
        return frames;
    }

    /// <summary>Disposes every sub-env.</summary>
    public void Dispose()
    {
        foreach (var env in envs) env.Dispose();
    }

    /// <summary>What <see cref="ResetSome"/> resets its sub-envs with: sub-env k with <see cref="Seeds"/>[k], all with the same options.</summary>
    private readonly record struct ResetArguments(IReadOnlyList<long?> Seeds, IReadOnlyDictionary<string, object?>? Options);
}
