using ZeroGym.Agents;
using ZeroGym.Agents.Common;
using ZeroGym.Tests.Server;
using ZeroGym.Tests.Torch;
using ZeroGym.Torch;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// SAC's squashed Gaussian policy against the densities it claims, and SAC through the command line (--set, resume,
/// play --video). Its smoke and exact-resume runs are with the other continuous algorithms in
/// <see cref="AlgorithmSmokeTests"/>.
/// </summary>
[Collection(TorchGeneratorCollection.Name)]
public sealed class SacTests
{
    /// <summary>
    /// exp(log π) must be the density of the env's action u = scale · tanh(μ + σ ε): integrated over (−scale, scale) it
    /// is 1, which holds only if the change of variables (tanh and the scaling to the bounds) is counted right.
    /// </summary>
    [Theory]
    [InlineData(1f)]
    [InlineData(2f)]
    public void SampleLogProbability_IsTheDensityOfTheScaledSquashedAction_WhichIntegratesToOne(float scale)
    {
        LibTorch.ManualSeed(3);
        using var policy = new Sac.GaussianPolicy(observationSize: 3, actionSize: 1, hiddenSizes: [8], Device.Cpu);
        float[] observation = [0.3f, -1.2f, 0.8f];
        using var scope = LibTorch.NewDisposeScope();
        using var noGrad = LibTorch.NoGrad();
        var (meanTensor, logStdTensor) = policy.MeanAndLogStd(Tensor.From(observation, [1, 3]));
        double mean = meanTensor.ItemDouble(), std = Math.Exp(logStdTensor.ItemDouble());

        // The midpoint rule over u in (−scale, scale); each u is reached by the noise ε = (atanh(u / scale) − μ) / σ.
        const int points = 20_000;
        var noise = new float[points];
        double width = 2.0 * scale / points;
        for (int i = 0; i < points; i++)
        {
            double u = -scale + (i + 0.5) * width;
            noise[i] = (float)((Math.Atanh(u / scale) - mean) / std);
        }

        var observations = Tensor.From(Enumerable.Repeat(observation, points).SelectMany(row => row).ToArray(), [points, 3]);
        var (actions, logProbs) = policy.Sample(observations, noise, [scale]);
        double integral = logProbs.Exp().Sum().ItemDouble() * width;

        Assert.InRange(integral, 0.99, 1.01);
        Assert.Equal([points, 1L], actions.Shape);
        Assert.All(actions.ToArray<float>(), action => Assert.InRange(action, -1f, 1f));
    }

    [Fact]
    public void Policy_GreedyActionIsTanhOfTheMean_AndLogStdStaysInItsBounds()
    {
        LibTorch.ManualSeed(4);
        using var policy = new Sac.GaussianPolicy(observationSize: 2, actionSize: 3, hiddenSizes: [8, 8], Device.Cpu);
        using var scope = LibTorch.NewDisposeScope();
        // Large inputs drive the raw log std far beyond its bounds.
        var observations = Tensor.From([100f, -100f, -50f, 75f, 0f, 0f], [3, 2]);

        var (mean, logStd) = policy.MeanAndLogStd(observations);
        var greedy = policy.Forward(observations);

        Assert.Equal([3L, 3L], mean.Shape);
        Assert.Equal(mean.ToArray<float>().Select(MathF.Tanh), greedy.ToArray<float>());
        Assert.All(logStd.ToArray<float>(), value => Assert.InRange(value, Sac.GaussianPolicy.LogStdMin, Sac.GaussianPolicy.LogStdMax));
        // Named as nn.Sequential names an MLP, the last layer holding a mean and a log std per action.
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], policy.NamedParameters().Select(pair => pair.Name));
        Assert.Equal([6L, 8L], policy.NamedParameters()[4].Parameter.Shape);
    }

    [Fact]
    public void Sac_TrainsWithSetOptions_ResumesThroughTheCommandLine_AndPlaysAVideo()
    {
        BuiltInAlgorithms.Register();
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        string[] small =
        [
            "--env", "Pendulum-v1", "--server", server.Address, "--eval-every", "0",
            "--set", "learning_starts=100", "--set", "buffer_size=1000", "--set", "batch_size=16", "--set", "hidden_sizes=[16]",
            "--set", "checkpoint_every=200", "--set", "autotune=false", "--set", "alpha=0.05",
        ];

        var train = Invoke(["train", "sac", "--total-steps", "200", "--run-dir", runDir, .. small]);
        Assert.True(train.ExitCode == 0, train.Error);
        var resumed = Invoke("train", "sac", "--resume", "--total-steps", "400", "--run-dir", runDir, "--server", server.Address);
        Assert.True(resumed.ExitCode == 0, resumed.Error);

        Assert.Contains("resuming from", resumed.Output);
        Assert.Contains("\"alpha\": 0.05", File.ReadAllText(Path.Combine(runDir, "config.json")));
        var losses = File.ReadAllLines(Path.Combine(runDir, "losses.csv"));
        // Without autotuning α stays as set and there is no temperature loss.
        Assert.Equal("global_step,qf_loss,qf1_loss,qf2_loss,actor_loss,alpha,qf1_values,qf2_values", losses[0]);
        Assert.Equal(["200", "300", "400"], losses.Skip(1).Select(row => row.Split(',')[0]));
        Assert.All(losses.Skip(1), row => Assert.Equal(0.05, double.Parse(row.Split(',')[5])));

        string videoPath = directory.Combine("episode.mp4");
        var play = Invoke("play", "--run-dir", runDir, "--episodes", "1", "--server", server.Address, "--video", videoPath);
        Assert.True(play.ExitCode == 0, play.Error);
        // Pendulum-v1 ends after 200 steps: one frame after the reset and one after each step.
        Assert.Contains($"wrote 201 frames to {videoPath}", play.Output);
        Assert.True(new FileInfo(videoPath).Length > 0);
    }

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args) => CommandLineTests.Invoke(args);
}
