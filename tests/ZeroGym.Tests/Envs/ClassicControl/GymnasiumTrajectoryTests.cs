using System.Globalization;
using System.Text.Json;
using ZeroGym.Arrays;
using ZeroGym.Envs.Acrobot;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.MountainCar;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Wrappers;
using ZeroGym.EnvServer;
using ZeroGym.Tests.Wire;

namespace ZeroGym.Tests.Envs.ClassicControl;

/// <summary>
/// Acrobot-v1, MountainCar-v0 and MountainCarContinuous-v0 against trajectories recorded from Gymnasium 1.2.2's own
/// source (Trajectories/README.md says how): every episode is replayed with the recorded seed, options, kwargs and
/// actions on the registered env (time limit included), and every observation, reward, flag and float64 state must be
/// the recorded bits.
/// </summary>
public class GymnasiumTrajectoryTests
{
    public static TheoryData<string> EnvIds => new() { "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0" };

    [Theory]
    [MemberData(nameof(EnvIds))]
    public void Replay_OfGymnasiumsRecordedEpisodes_GivesTheSameBits(string envId)
    {
        using var recording = JsonDocument.Parse(File.ReadAllText(RecordingPath(envId)));
        var spec = BuiltInEnvs.CreateRegistry().Get(envId);
        var envs = new Dictionary<string, Env>();
        int episodeIndex = 0, steps = 0;
        foreach (var episode in recording.RootElement.GetProperty("episodes").EnumerateArray())
        {
            var kwargs = ReadMap(episode.GetProperty("kwargs"));
            string kwargsKey = string.Join(",", kwargs.Select(pair => $"{pair.Key}={pair.Value}"));
            if (!envs.TryGetValue(kwargsKey, out var env)) envs[kwargsKey] = env = spec.Make(kwargs);

            long? seed = episode.GetProperty("seed").ValueKind == JsonValueKind.Null ? null : episode.GetProperty("seed").GetInt64();
            var options = episode.GetProperty("options").ValueKind == JsonValueKind.Null ? null : ReadMap(episode.GetProperty("options"));
            string where = $"{envId} episode {episodeIndex} (seed {seed?.ToString(CultureInfo.InvariantCulture) ?? "none"})";

            var reset = env.Reset(seed, options);
            var expectedReset = episode.GetProperty("reset");
            AssertBits(expectedReset.GetProperty("obs"), (NDArray)reset.Observation, $"{where}, reset observation");
            AssertState(expectedReset.GetProperty("state"), env, $"{where}, reset state");

            int stepIndex = 0;
            foreach (var step in episode.GetProperty("steps").EnumerateArray())
            {
                string at = $"{where}, step {stepIndex}";
                var result = env.Step(ReadAction(step.GetProperty("action")));
                AssertBits(step.GetProperty("obs"), (NDArray)result.Observation, $"{at} observation");
                Assert.True(ParseDouble(step.GetProperty("reward").GetString()!) == result.Reward || Bits(result.Reward) == step.GetProperty("reward").GetString(),
                    $"{at}: expected reward {Describe(step.GetProperty("reward").GetString()!)}, found {Describe(Bits(result.Reward))}");
                Assert.Equal(step.GetProperty("terminated").GetBoolean(), result.Terminated);
                Assert.Equal(step.GetProperty("truncated").GetBoolean(), result.Truncated);
                AssertState(step.GetProperty("state"), env, $"{at} state");
                stepIndex++;
                steps++;
            }

            episodeIndex++;
        }

        Assert.True(steps > 500, $"the recording of {envId} should hold hundreds of steps; it holds {steps}");
    }

    /// <summary>The recording holds what the tests claim: episodes that terminate, truncate (where the time limit is short enough) and reach the left wall.</summary>
    [Theory]
    [InlineData("Acrobot-v1", true, false, false)]
    [InlineData("MountainCar-v0", true, true, true)]
    [InlineData("MountainCarContinuous-v0", true, false, true)]
    public void Recording_CoversTheEndsOfAnEpisodeAndTheWall(string envId, bool terminates, bool truncates, bool hitsTheWall)
    {
        using var recording = JsonDocument.Parse(File.ReadAllText(RecordingPath(envId)));
        var steps = recording.RootElement.GetProperty("episodes").EnumerateArray()
            .SelectMany(episode => episode.GetProperty("steps").EnumerateArray()).ToList();
        Assert.Equal(terminates, steps.Any(step => step.GetProperty("terminated").GetBoolean()));
        if (truncates) Assert.Contains(steps, step => step.GetProperty("truncated").GetBoolean());
        if (hitsTheWall)
        {
            // The position of the state at the wall: -1.2 itself, or the float32 nearest it once the state is float32.
            float wallFloat32 = -1.2f;
            Assert.Contains(steps, step => ParseDouble(step.GetProperty("state")[0].GetString()!) is var position && (position == -1.2 || position == wallFloat32));
        }
    }

    private static string RecordingPath(string envId) =>
        Path.Combine(RepositoryRoot.Path, "tests", "ZeroGym.Tests", "Envs", "ClassicControl", "Trajectories", $"{envId}.json");

    private static object ReadAction(JsonElement action) =>
        action.ValueKind == JsonValueKind.Array
            ? NDArray.From(action.EnumerateArray().Select(bits => BitConverter.UInt32BitsToSingle(uint.Parse(bits.GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToArray())
            : action.GetInt64();

    private static Dictionary<string, object?> ReadMap(JsonElement map) =>
        map.EnumerateObject().ToDictionary(property => property.Name, property => (object?)property.Value.GetDouble());

    private static void AssertBits(JsonElement expected, NDArray actual, string what)
    {
        var expectedBits = expected.EnumerateArray().Select(bits => bits.GetString()!).ToArray();
        var actualBits = actual.ToArray<float>().Select(value => BitConverter.SingleToUInt32Bits(value).ToString("x8", CultureInfo.InvariantCulture)).ToArray();
        Assert.True(expectedBits.SequenceEqual(actualBits),
            $"{what}: expected float32 bits [{string.Join(", ", expectedBits)}], found [{string.Join(", ", actualBits)}]");
    }

    private static void AssertState(JsonElement expected, Env env, string what)
    {
        var expectedBits = expected.EnumerateArray().Select(bits => bits.GetString()!).ToArray();
        var actualBits = StateOf(env).Select(Bits).ToArray();
        Assert.True(expectedBits.SequenceEqual(actualBits),
            $"{what}: expected [{string.Join(", ", expectedBits.Select(Describe))}], found [{string.Join(", ", actualBits.Select(Describe))}]");
    }

    private static double[] StateOf(Env env) => env switch
    {
        Wrapper wrapper => StateOf(wrapper.Inner),
        AcrobotEnv acrobot => [.. acrobot.State],
        MountainCarEnv car => [car.State.Position, car.State.Velocity],
        MountainCarContinuousEnv car => [car.State.Position, car.State.Velocity],
        _ => throw new InvalidOperationException($"no state reader for {env.GetType().Name}"),
    };

    private static string Bits(double value) => BitConverter.DoubleToUInt64Bits(value).ToString("x16", CultureInfo.InvariantCulture);

    private static double ParseDouble(string bits) => BitConverter.UInt64BitsToDouble(ulong.Parse(bits, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    private static string Describe(string bits) => $"{ParseDouble(bits).ToString("R", CultureInfo.InvariantCulture)} ({bits})";
}
