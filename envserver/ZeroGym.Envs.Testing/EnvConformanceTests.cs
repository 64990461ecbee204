using System.Reflection;
using System.Runtime.CompilerServices;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Testing;

/// <summary>
/// The conformance checklist of a ZeroGym env, as Gymnasium's <c>check_env</c> and dm_env_rpc's compliance tests:
/// derive one class per env id, say which <see cref="Spec"/> it tests (and <see cref="Kwargs"/> if it needs some),
/// and xunit runs every check below on it. See README.md beside this file.
/// </summary>
/// <remarks>
/// <para>In process (the env made by <see cref="EnvSpec.Make(IReadOnlyDictionary{string, object?}?, string?)"/>):
/// observations lie in the observation space with the exact dtype and shape, sampled actions are accepted, the same
/// seed gives the same start and the same trajectory, different seeds differ, the time limit truncates, the
/// <c>rgb_array</c> frame is uint8 H×W×3, disposing twice is harmless.</para>
/// <para>Through a real server (<c>EnvServer</c> on a loopback port, offering only this env, driven by the C#
/// client): the spaces and observations arrive unchanged, the state machine of SPEC.md §3.1 answers with its error
/// codes, and bad actions are refused with <c>invalid_action</c> without changing the env's state.</para>
/// <para>A check that cannot hold for an env (a seed the env does not use, a dependency too slow for a unit test)
/// is opted out of by name in <see cref="OptOuts"/>, with the reason, and shows as skipped with that reason.</para>
/// </remarks>
public abstract partial class EnvConformanceTests
{
    private const string RgbArray = "rgb_array";

    /// <summary>The env under test: the spec its registry holds (or a spec of one's own env).</summary>
    public abstract EnvSpec Spec { get; }

    /// <summary>Kwargs every check makes the env with (a ROM path, say); null for the spec's defaults.</summary>
    protected virtual IReadOnlyDictionary<string, object?>? Kwargs => null;

    /// <summary>The seed of the seeded resets; the different-seed check uses the next four.</summary>
    protected virtual long Seed => 42;

    /// <summary>How many steps the trajectory checks take (fewer when the episode ends first).</summary>
    protected virtual int TrajectoryLength => 12;

    /// <summary>The <c>max_episode_steps</c> the time-limit check makes the env with: small enough that the
    /// <see cref="SampleActions"/> do not end the episode before it.</summary>
    protected virtual int TimeLimitSteps => 3;

    /// <summary>How long the client waits for each reply of the server.</summary>
    protected virtual TimeSpan ServerTimeout => TimeSpan.FromSeconds(30);

    /// <summary>
    /// Checks this env skips, by test method name (<c>nameof(Reset_WithDifferentSeeds_GivesDifferentObservations)</c>),
    /// each with the reason, which the test run shows. Every name must be a check of this class.
    /// </summary>
    protected virtual IReadOnlyDictionary<string, string> OptOuts { get; } = new Dictionary<string, string>();

    /// <summary>
    /// The actions the checks step with, the same on every call: by default <paramref name="count"/> samples of
    /// <paramref name="actionSpace"/> drawn from a generator seeded with <see cref="Seed"/>.
    /// </summary>
    protected virtual IReadOnlyList<object> SampleActions(Space actionSpace, int count)
    {
        var random = new Random(unchecked((int)Seed));
        return Enumerable.Range(0, count).Select(_ => actionSpace.Sample(random)).ToList();
    }

    /// <summary>
    /// Actions the server must refuse with <c>invalid_action</c>: by default, for a <see cref="Discrete"/> space the
    /// integers just outside it, a fraction and a string; for a <see cref="Box"/> a wrong shape, a string, and a value
    /// beyond a bound (for float boxes also NaN; for integer boxes sent as int64). Override to add the env's own (call
    /// the base and append).
    /// </summary>
    protected virtual IEnumerable<InvalidAction> InvalidActions(Space actionSpace)
    {
        yield return new InvalidAction("a string", "left");
        switch (actionSpace)
        {
            case Discrete discrete:
                yield return new InvalidAction($"{discrete.Start + discrete.N}, one above the space", discrete.Start + discrete.N);
                yield return new InvalidAction($"{discrete.Start - 1}, one below the space", discrete.Start - 1);
                yield return new InvalidAction("the float 0.5", 0.5);
                break;
            case Box box:
                var tooLong = NDArray.Zeros(box.DType, [box.Low.Length + 1]);
                yield return new InvalidAction($"an array of shape {NDArray.FormatShape(tooLong.Shape)}", tooLong);
                if (!box.DType.IsFloatingPoint())
                {
                    // An integer beyond the bound, sent as int64 as a client would: it must not be cast into the space.
                    int limited = Enumerable.Range(0, box.Low.Length).FirstOrDefault(i => box.High.GetDouble(i) < long.MaxValue, -1);
                    if (limited < 0) break;
                    long above = box.High.GetInt64(limited) + 1;
                    var wide = NDArray.From(Enumerable.Range(0, box.Low.Length).Select(i => i == limited ? above : (long)Inside(box, i)).ToArray(), (int[])box.Shape.Clone());
                    yield return new InvalidAction($"element {limited} = {above} as int64, above its bound", wide);
                    break;
                }

                yield return new InvalidAction("NaN in every element", BoxAction(box, _ => double.NaN));
                int bounded = Enumerable.Range(0, box.Low.Length).FirstOrDefault(i => double.IsFinite(box.High.GetDouble(i)), -1);
                if (bounded < 0) break;
                double high = box.High.GetDouble(bounded);
                yield return new InvalidAction(
                    $"element {bounded} above its bound {high}",
                    BoxAction(box, i => i == bounded ? high + Math.Max(1, Math.Abs(high)) : Inside(box, i)));
                break;
        }
    }

    /// <summary>An action of <paramref name="box"/>'s dtype and shape with element i = <paramref name="element"/>(i).</summary>
    private static NDArray BoxAction(Box box, Func<int, double> element) =>
        NDArray.From(Enumerable.Range(0, box.Low.Length).Select(element).ToArray(), (int[])box.Shape.Clone()).AsType(box.DType);

    /// <summary>A value inside element <paramref name="index"/>'s bounds.</summary>
    private static double Inside(Box box, int index)
    {
        double low = box.Low.GetDouble(index), high = box.High.GetDouble(index);
        return double.IsFinite(low) ? low : double.IsFinite(high) ? high : 0;
    }

    /// <summary>Makes the env as every check does: <see cref="Kwargs"/> with <paramref name="extraKwargs"/> over them.</summary>
    protected Env MakeEnv(IReadOnlyDictionary<string, object?>? extraKwargs = null, string? renderMode = null) =>
        Spec.Make(MergeKwargs(extraKwargs), renderMode);

    /// <summary>The opt-outs name checks of this class and say why.</summary>
    [ConformanceFact]
    public void OptOuts_NameChecksOfThisSuite_AndGiveReasons()
    {
        var checks = typeof(EnvConformanceTests).GetMethods()
            .Where(method => method.GetCustomAttribute<ConformanceFactAttribute>() is not null)
            .Select(method => method.Name)
            .Where(name => name != nameof(OptOuts_NameChecksOfThisSuite_AndGiveReasons))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (check, reason) in OptOuts)
        {
            Assert.True(checks.Contains(check), $"{GetType().Name} opts out of '{check}', which is not a check; the checks are {string.Join(", ", checks.Order())}");
            Assert.False(string.IsNullOrWhiteSpace(reason), $"{GetType().Name} opts out of '{check}' without a reason; say why the check cannot hold for {Spec.Id}");
        }
    }

    /// <summary>Skips the calling check when this env opted out of it.</summary>
    private void SkipIfOptedOut([CallerMemberName] string check = "")
    {
        if (OptOuts.TryGetValue(check, out string? reason)) throw new CheckSkippedException($"{Spec.Id} opted out: {reason}");
    }

    private IReadOnlyDictionary<string, object?>? MergeKwargs(IReadOnlyDictionary<string, object?>? extra)
    {
        if (extra is null) return Kwargs;
        var merged = new Dictionary<string, object?>(Kwargs ?? new Dictionary<string, object?>());
        foreach (var (name, value) in extra) merged[name] = value;
        return merged;
    }

    private Dictionary<string, object?> TimeLimitKwargs => new() { [EnvKwargs.MaxEpisodeStepsKey] = (long)TimeLimitSteps };

    private static string Actions(IEnumerable<object> actions) => string.Join(", ", actions.Select(CanonicalValues.Describe));
}
