using ZeroGym.Arrays;
using ZeroGym.EnvServer;
using ZeroGym.Transport.Security;

namespace ZeroGym.Tests.Server;

/// <summary>A server that polls for the next request after each reply (--spin-us) serves exactly as one that blocks.</summary>
public sealed class SpinTests
{
    private static readonly TimeSpan Spin = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void ASpinningServer_StepsAVectorEnvAsABlockingOne_AndStopsWhenAsked()
    {
        float[] Run(ServerOptions options)
        {
            using var server = new TestServer(options);
            using var envs = RemoteVectorEnv.Make("CartPole-v1", 3, server.Address);
            var observations = new List<float>(((NDArray)envs.Reset(seed: 5).Observations).ToArray<float>());
            for (int t = 0; t < 30; t++)
            {
                var step = envs.Step(NDArray.From(new long[] { t % 2, 1, 0 }));
                observations.AddRange(((NDArray)step.Observations).ToArray<float>());
            }

            return [.. observations];
        }

        Assert.Equal(Run(new ServerOptions()), Run(new ServerOptions { SpinAfterReply = Spin }));
    }

    [Fact]
    public void ASpinningCurveServer_ServesAnAuthorizedClient()
    {
        var serverKeys = CurveKeyPair.Generate();
        var clientKeys = CurveKeyPair.Generate();
        using var server = new TestServer(new ServerOptions
        {
            SpinAfterReply = Spin,
            Curve = new CurveSecurity(serverKeys, new Dictionary<string, string> { [clientKeys.PublicKey] = "alice" }),
        });
        var options = new ClientOptions { CurveServerKey = serverKeys.PublicKey, CurveClientKey = clientKeys.SecretKey, Timeout = TimeSpan.FromSeconds(10) };
        using var env = RemoteEnv.Make("CartPole-v1", server.Address, options: options);
        env.Reset(seed: 1);
        for (int t = 0; t < 20; t++) Assert.Equal(1.0, env.Step((long)(t % 2)).Reward);
    }
}
