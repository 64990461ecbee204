using System.Text.Json;
using ZeroGym.Agents;
using ZeroGym.Agents.Common;
using ZeroGym.Envs.CartPole;
using ZeroGym.Envs.Wrappers;
using ZeroGym.Spaces;
using ZeroGym.Tests.Wire;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// The defaults README.md states for the agents (the algorithm tables and the ddqn-mario paragraph) are the ones the
/// code has: each line below ties one README phrase to the option it states, e.g. <c>$"replay {dqn.BufferSize}"</c>
/// for "replay 50k". A default changed on one side only fails with the README line, the README's value and the
/// code's; a number in a checked passage that no line here ties to the code fails too.
/// </summary>
public sealed class DocumentedDefaultsTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));

    /// <summary>CartPole-v1's sizes, which the CartPole tables write around the hidden layers (4-128-128-2).</summary>
    private static readonly (int Observations, long Actions) CartPole = CartPoleSizes();

    /// <summary>The one output of a critic (a Q-value) or of A2C's value column: part of the network's shape, not an option.</summary>
    private const int ValueOutput = 1;

    [Theory]
    [InlineData("dqn")]
    [InlineData("ddqn")]
    public void DqnTableRow_StatesTheDefaultsOf(string algo) => DqnRow(Readme, algo).AssertMatchesCode();

    [Fact]
    public void ReinforceTableRow_StatesItsDefaults() => ReinforceRow(Readme).AssertMatchesCode();

    [Fact]
    public void A2cTableRow_StatesItsDefaults() => A2cRow(Readme).AssertMatchesCode();

    [Fact]
    public void PpoCartPoleTableRow_StatesItsDiscreteDefaults() => PpoDiscreteRow(Readme).AssertMatchesCode();

    [Fact]
    public void PpoBoxTableRow_StatesItsContinuousDefaults() => PpoBoxRow(Readme).AssertMatchesCode();

    [Fact]
    public void DdpgTableRow_StatesItsDefaults() => DdpgRow(Readme).AssertMatchesCode();

    [Fact]
    public void Td3TableRow_StatesItsDefaults() => Td3Row(Readme).AssertMatchesCode();

    [Fact]
    public void SacTableRow_StatesItsDefaults() => SacRow(Readme).AssertMatchesCode();

    [Fact]
    public void MarioDdqnParagraph_StatesItsDefaults() => MarioDdqnSentence(Readme).AssertMatchesCode();

    // ---------------------------------------------------------------- the passages and what ties them to the code

    private static ReadmePassage DqnRow(string readme, string algo)
    {
        var dqn = (Dqn.Options)Registered(algo).DefaultOptions();
        var row = ReadmePassage.TableCell(readme, row: "`dqn`, `ddqn`", column: "CartPole-v1 defaults");
        row.Says($"{CartPole.Observations}-{dqn.HiddenSizes}-{CartPole.Actions}");
        row.Says($"replay {dqn.BufferSize}");
        row.Says($"batch {dqn.BatchSize}");
        row.Says($"Adam {dqn.LearningRate}");
        row.Says($"ε {dqn.StartEpsilon}→{dqn.EndEpsilon} over {dqn.ExplorationSteps}");
        row.Says($"target sync {dqn.TargetNetworkFrequency}");
        return row;
    }

    private static ReadmePassage ReinforceRow(string readme)
    {
        var reinforce = (Reinforce.Options)Registered("reinforce").DefaultOptions();
        var row = ReadmePassage.TableCell(readme, row: "`reinforce`", column: "CartPole-v1 defaults");
        row.Says($"{CartPole.Observations}-{reinforce.HiddenSizes}-{CartPole.Actions} softmax");
        row.Says($"Adam {reinforce.LearningRate}");
        row.Says($"γ {reinforce.Gamma}");
        return row;
    }

    private static ReadmePassage A2cRow(string readme)
    {
        var a2c = (A2c.Options)Registered("a2c").DefaultOptions();
        var a2cTraining = Registered("a2c").Defaults;
        var row = ReadmePassage.TableCell(readme, row: "`a2c`", column: "CartPole-v1 defaults");
        row.Says($"{a2cTraining.NumEnvs} envs, {a2c.StepsPerUpdate} steps");
        Assert.Equal(1, a2c.EnvGroups); // the README says overlapping groups are off by default
        row.Says($"{a2c.StepsPerUpdate} steps");
        row.Says($"{CartPole.Observations}-{a2c.HiddenSizes}-({CartPole.Actions}+{ValueOutput})");
        row.Says($"value {a2c.ValueCoefficient}");
        row.Says($"entropy {a2c.EntropyCoefficient}");
        row.Says($"clip {a2c.MaxGradNorm}");
        row.Says($"Adam {a2c.LearningRate}");
        return row;
    }

    private static ReadmePassage PpoDiscreteRow(string readme)
    {
        var ppo = (Ppo.Options)Registered("ppo").DefaultOptions();
        var ppoTraining = Registered("ppo").Defaults;
        var discrete = ppo.Resolve(boxActions: false, ppoTraining.NumEnvs);
        var row = ReadmePassage.TableCell(readme, row: "`ppo`", column: "CartPole-v1 defaults");
        row.Says($"{ppoTraining.NumEnvs} envs, {discrete.StepsPerRollout} steps");
        row.Says($"actor {CartPole.Observations}-{ppo.HiddenSizes}-{CartPole.Actions}");
        row.Says($"critic {CartPole.Observations}-{ppo.HiddenSizes}-{ValueOutput} tanh");
        row.Says($"{discrete.UpdateEpochs} epochs of {discrete.Minibatches} minibatches");
        row.Says($"clip {ppo.ClipCoefficient}");
        row.Says($"GAE λ {ppo.GaeLambda}");
        row.Says($"γ {ppo.Gamma}");
        row.Says($"entropy {discrete.EntropyCoefficient}");
        row.Says($"value {ppo.ValueCoefficient}");
        row.Says($"grad norm {ppo.MaxGradNorm}");
        Assert.True(ppo.AnnealLearningRate);
        Assert.False(discrete.NormalizeObservations || discrete.NormalizeRewards); // the row names no normalisation
        row.Says($"Adam {discrete.LearningRate} annealed to {0}");
        return row;
    }

    private static ReadmePassage PpoBoxRow(string readme)
    {
        var ppo = (Ppo.Options)Registered("ppo").DefaultOptions();
        var box = ppo.Resolve(boxActions: true, numEnvs: 1);
        var row = ReadmePassage.TableCell(readme, row: "`ppo` (Box actions)", column: "defaults");
        row.Says($"rollouts of {box.StepsPerRollout} steps over all envs");
        row.Says($"actor obs-{ppo.HiddenSizes}-act Gaussian");
        row.Says($"critic obs-{ppo.HiddenSizes}-{ValueOutput}");
        row.Says($"{box.UpdateEpochs} epochs of {box.Minibatches} minibatches");
        row.Says($"entropy {box.EntropyCoefficient}");
        Assert.True(box.NormalizeObservations && box.NormalizeRewards);
        Assert.Equal(ppo.ObservationClip, ppo.RewardClip);
        row.Says($"observations and rewards normalised and clipped at {ppo.ObservationClip}");
        row.Says($"Adam {box.LearningRate} annealed");
        return row;
    }

    private static ReadmePassage DdpgRow(string readme)
    {
        var ddpg = (Ddpg.Options)Registered("ddpg").DefaultOptions();
        var row = ReadmePassage.TableCell(readme, row: "`ddpg`", column: "defaults");
        row.Says($"actor obs-{ddpg.HiddenSizes}-act tanh");
        row.Says($"critic (obs+act)-{ddpg.HiddenSizes}-{ValueOutput}");
        row.Says($"replay {ddpg.BufferSize}");
        row.Says($"batch {ddpg.BatchSize}");
        row.Says($"Adam {ddpg.LearningRate}");
        row.Says($"γ {ddpg.Gamma}");
        row.Says($"τ {ddpg.Tau}");
        row.Says($"noise {ddpg.ExplorationNoise}");
        row.Says($"{ddpg.LearningStarts} random steps");
        row.Says($"actor every {Ordinal(ddpg.PolicyFrequency)} step");
        return row;
    }

    private static ReadmePassage Td3Row(string readme)
    {
        var td3 = (Td3.Options)Registered("td3").DefaultOptions();
        var row = ReadmePassage.TableCell(readme, row: "`td3`", column: "defaults");
        row.Says("as DDPG", DifferingDefaults("td3", "ddpg"));
        row.Says($"target noise {td3.PolicyNoise} clipped at {td3.NoiseClip}");
        row.Says($"actor delay {td3.PolicyFrequency}");
        return row;
    }

    private static ReadmePassage SacRow(string readme)
    {
        var sac = (Sac.Options)Registered("sac").DefaultOptions();
        var row = ReadmePassage.TableCell(readme, row: "`sac`", column: "defaults");
        row.Says($"policy obs-{sac.HiddenSizes}-(mean, log std)");
        row.Says($"twin critics (obs+act)-{sac.HiddenSizes}-{ValueOutput}");
        row.Says($"replay {sac.BufferSize}");
        row.Says($"batch {sac.BatchSize}");
        row.Says($"γ {sac.Gamma}");
        row.Says($"τ {sac.Tau}");
        row.Says($"{sac.LearningStarts} random steps");
        row.Says($"Adam {sac.PolicyLearningRate} (policy), {sac.QLearningRate} (critics, α)");
        row.Says($"{sac.PolicyFrequency} policy steps every {Ordinal(sac.PolicyFrequency)} step");
        row.Says("targets every step", sac.TargetNetworkFrequency == 1 ? [] : [$"sac.TargetNetworkFrequency = {sac.TargetNetworkFrequency}"]);
        row.Says("α tuned towards entropy −(action size)", sac.Autotune ? [] : ["sac.Autotune = false"]);
        return row;
    }

    private static ReadmePassage MarioDdqnSentence(string readme)
    {
        var mario = (MarioDdqn.Options)Registered("ddqn-mario").DefaultOptions();
        var marioTraining = Registered("ddqn-mario").Defaults;
        var sentence = ReadmePassage.Sentence(readme, startingWith: "by default it trains on");
        sentence.Says($"trains on `{marioTraining.EnvId}`");
        sentence.Says($"with `{EnvKwargArguments(marioTraining.EnvKwargs)}`");

        // The wrappers the default kwarg names, in the order the README lists them.
        var wrappers = WrapperChain.Parse(KwargValue(marioTraining.EnvKwargs, "wrappers")).Wrappers;
        Assert.Equal(["skip_frames", "grayscale", "resize", "frame_stack"], wrappers.Select(wrapper => wrapper.Name));
        object? framesPerStep = wrappers[0].Parameters["n"], resizedTo = wrappers[2].Parameters["shape"], stacked = wrappers[3].Parameters["n"];
        var (height, width) = (((object?[])resizedTo!)[0], ((object?[])resizedTo!)[1]);
        sentence.Says($"({framesPerStep} frames a step, grayscale, {height}×{width}, a stack of {stacked})");

        var convolutions = Networks.NatureCnnConvolutions;
        Assert.Equal(3, convolutions.Count);
        var (first, second, third) = (convolutions[0], convolutions[1], convolutions[2]);
        sentence.Says($"the Nature CNN ({first.Channels}@{first.Kernel}×{first.Kernel}/{first.Stride}, " +
            $"{second.Channels}@{second.Kernel}×{second.Kernel}/{second.Stride}, " +
            $"{third.Channels}@{third.Kernel}×{third.Kernel}/{third.Stride}, {Networks.NatureCnnHiddenSize})");

        sentence.Says($"replay {mario.BufferSize}");
        sentence.Says($"batch {mario.BatchSize}");
        sentence.Says($"γ {mario.Gamma}");
        sentence.Says($"ε {mario.StartEpsilon} → {mario.EndEpsilon} multiplied by {mario.EpsilonDecay} a step");
        sentence.Says($"burn-in {mario.BurnIn}");
        sentence.Says($"a gradient step every {mario.LearnEvery} env steps");
        sentence.Says($"target sync every {mario.SyncEvery}");
        sentence.Says($"Adam {mario.LearningRate}");
        return sentence;
    }

    // ---------------------------------------------------------------- the checks fail when README and code disagree

    [Fact]
    public void ADefaultChangedOnOneSide_IsReportedWithTheReadmeLineAndBothValues()
    {
        string drifted = Readme.Replace("ε 1→0.01 over 5k,", "ε 1→0.01 over 10k,", StringComparison.Ordinal);
        Assert.NotEqual(Readme, drifted);
        int line = LineOf(drifted, "ε 1→0.01 over 10k");

        var problem = Assert.Single(DqnRow(drifted, "dqn").Problems());

        Assert.Equal($"README.md:{line} (the `dqn`, `ddqn` row, column 'CartPole-v1 defaults'): " +
            "'ε 1→0.01 over 10k' says 10k; the code has dqn.ExplorationSteps = 5000", problem);
    }

    [Fact]
    public void ANumberNoCheckCovers_IsReported()
    {
        string extended = Readme.Replace("batch 64, Adam 1e-3,", "batch 64, Adam 1e-3, γ 0.99,", StringComparison.Ordinal);
        Assert.NotEqual(Readme, extended);

        var problem = Assert.Single(DqnRow(extended, "dqn").Problems());

        Assert.Contains("'0.99,' is a number no check ties to the code", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ARewordedPhrase_IsReportedWithTheCodesValue()
    {
        string reworded = Readme.Replace("target sync 250", "target copy 250", StringComparison.Ordinal);
        Assert.NotEqual(Readme, reworded);

        var problems = DqnRow(reworded, "dqn").Problems();

        Assert.Equal(2, problems.Count);
        Assert.Contains("expected the phrase 'target sync 250' (with the code's values: dqn.TargetNetworkFrequency = 250) once; found it 0 times",
            problems[0], StringComparison.Ordinal);
        Assert.Contains("'250,' is a number no check ties to the code", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ASentenceSpanningLines_IsReadAsOne_AndReportsTheLineOfTheDrift()
    {
        string drifted = Readme.Replace("burn-in 10k,", "burn-in 20k,", StringComparison.Ordinal);
        Assert.NotEqual(Readme, drifted);
        int line = LineOf(drifted, "burn-in 20k");

        var problem = Assert.Single(MarioDdqnSentence(drifted).Problems());

        Assert.StartsWith($"README.md:{line} (the sentence 'by default it trains on …'): 'burn-in 20k' says 20k; " +
            "the code has mario.BurnIn = 10000", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AsDdpg_IsCheckedOptionByOption()
    {
        Assert.Empty(DifferingDefaults("td3", "ddpg"));
        Assert.Equal(
            ["td3.Gamma = 0.9 where ddpg.Gamma = 0.99"],
            Differences("td3", new Td3.Options { Gamma = 0.9 }, "ddpg", new Ddpg.Options()));
    }

    [Fact]
    public void NumbersAreReadAsTheReadmeWritesThem()
    {
        const string readme = "| name | value |\n| --- | --- |\n| `x` | a 50k, b 1M, c 1e-3, d 2.5e-4, e 100,000, f 0.99999975 |\n";
        var row = ReadmePassage.TableCell(readme, row: "`x`", column: "value");
        row.Says($"a {50_000}, b {1_000_000}, c {0.001}, d {0.00025}, e {100_000}, f {0.99999975}");
        Assert.Empty(row.Problems());

        var wrong = ReadmePassage.TableCell(readme, row: "`x`", column: "value");
        wrong.Says($"a {5_000}, b {1_000_000}, c {0.001}, d {0.00025}, e {100_000}, f {0.9999997}");
        Assert.Equal(2, wrong.Problems().Count);
    }

    // ---------------------------------------------------------------- helpers

    private static Algorithm Registered(string name)
    {
        BuiltInAlgorithms.Register();
        return Algorithms.Find(name);
    }

    private static (int Observations, long Actions) CartPoleSizes()
    {
        using var env = new CartPoleEnv();
        return (((Box)env.ObservationSpace).Shape.Single(), ((Discrete)env.ActionSpace).N);
    }

    private static string Ordinal(int n) => n + (n % 100 is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" });

    /// <summary>Default env kwargs as a shell command line writes them: <c>--env-kwarg NAME=VALUE</c>, the value
    /// single-quoted when the shell would otherwise read it.</summary>
    private static string EnvKwargArguments(string[]? envKwargs) => string.Join(" ", (envKwargs ?? []).Select(assignment =>
    {
        var (name, value) = SplitAssignment(assignment);
        return "--env-kwarg " + name + "=" + (value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? value : $"'{value}'");
    }));

    private static string KwargValue(string[]? envKwargs, string name) =>
        (envKwargs ?? []).Select(SplitAssignment).Where(kwarg => kwarg.Name == name).Select(kwarg => kwarg.Value).Single();

    private static (string Name, string Value) SplitAssignment(string assignment)
    {
        int equals = assignment.IndexOf('=', StringComparison.Ordinal);
        return (assignment[..equals], assignment[(equals + 1)..]);
    }

    /// <summary>Where the algorithm <paramref name="name"/>'s defaults (its options and its train defaults) differ
    /// from <paramref name="reference"/>'s, for the options both have.</summary>
    private static IEnumerable<string> DifferingDefaults(string name, string reference) =>
        Differences(name, Registered(name).DefaultOptions(), reference, Registered(reference).DefaultOptions())
            .Concat(Differences(name, Registered(name).Defaults, reference, Registered(reference).Defaults));

    private static List<string> Differences(string name, object options, string reference, object referenceOptions)
    {
        var differences = new List<string>();
        foreach (var property in options.GetType().GetProperties())
        {
            if (referenceOptions.GetType().GetProperty(property.Name) is not { } referenceProperty) continue;
            string value = JsonSerializer.Serialize(property.GetValue(options));
            string referenceValue = JsonSerializer.Serialize(referenceProperty.GetValue(referenceOptions));
            if (value != referenceValue)
            {
                differences.Add($"{name}.{property.Name} = {value} where {reference}.{property.Name} = {referenceValue}");
            }
        }

        return differences;
    }

    private static int LineOf(string text, string part) =>
        text[..text.IndexOf(part, StringComparison.Ordinal)].Count(c => c == '\n') + 1;
}
