using ZeroGym.Agents.Common;

namespace ZeroGym.Tests.Agents;

public sealed class FrameReplayBufferTests
{
    private const int Stack = 4, FrameBytes = 6;

    /// <summary>
    /// An episode as the frame_stack wrapper shows it: frame t is FrameBytes bytes of one value derived from the
    /// episode and t; the reset observation repeats frame 0, each step drops the oldest frame and appends a new one.
    /// </summary>
    private static List<byte[]> Episode(int episode, int steps)
    {
        byte Value(int t) => (byte)(episode * 50 + t + 1);
        var stack = Enumerable.Repeat(Value(0), Stack).ToList();
        var observations = new List<byte[]>();
        for (int t = 0; t <= steps; t++)
        {
            if (t > 0)
            {
                stack.RemoveAt(0);
                stack.Add(Value(t));
            }

            observations.Add([.. stack.SelectMany(value => Enumerable.Repeat(value, FrameBytes))]);
        }

        return observations;
    }

    private static void AddEpisode(FrameReplayBuffer buffer, List<byte[]> observations, int episode)
    {
        for (int t = 0; t + 1 < observations.Count; t++)
        {
            buffer.Add(observations[t], action: t % 3, reward: episode + t / 10f, observations[t + 1], isTerminal: t + 2 == observations.Count);
        }
    }

    [Fact]
    public void Add_StoresEachFrameOnce_AndGivesBackEveryObservationExactly()
    {
        var buffer = new FrameReplayBuffer(capacity: 100, Stack, FrameBytes);
        var first = Episode(0, 10);
        var second = Episode(1, 7);

        AddEpisode(buffer, first, 0);
        AddEpisode(buffer, second, 1);

        // A reset writes its 4 frames, every step one new frame.
        Assert.Equal(Stack + 10 + Stack + 7, buffer.FramesWritten);
        Assert.Equal(17, buffer.Count);
        var transitions = Enumerable.Range(0, buffer.Count).Select(buffer.Get).ToList();
        var expected = first.Zip(first.Skip(1)).Concat(second.Zip(second.Skip(1))).ToList();
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].First, transitions[i].Observation);
            Assert.Equal(expected[i].Second, transitions[i].NextObservation);
        }

        Assert.Equal([false, false, false, false, false, false, false, false, false, true], transitions.Take(10).Select(t => t.Terminated));
        Assert.Equal(2, transitions[5].Action);
        Assert.Equal(1.6f, transitions[16].Reward);
    }

    [Fact]
    public void Add_OfAnObservationThatIsNotTheNextStack_WritesItWhole()
    {
        var buffer = new FrameReplayBuffer(capacity: 10, Stack, FrameBytes);
        byte[] observation = [.. Enumerable.Range(0, Stack * FrameBytes).Select(i => (byte)i)];
        byte[] unrelated = [.. Enumerable.Range(0, Stack * FrameBytes).Select(i => (byte)(200 - i))];

        buffer.Add(observation, 1, 0.5f, unrelated, isTerminal: false);

        Assert.Equal(2 * Stack, buffer.FramesWritten);
        Assert.Equal(observation, buffer.Get(0).Observation);
        Assert.Equal(unrelated, buffer.Get(0).NextObservation);
    }

    [Fact]
    public void Add_BeyondCapacity_DropsTheOldestTransitions_AndKeepsTheRestIntact()
    {
        var buffer = new FrameReplayBuffer(capacity: 32, Stack, FrameBytes);
        var observations = new List<List<byte[]>>();
        for (int episode = 0; episode < 5; episode++)
        {
            observations.Add(Episode(episode, 20));
            AddEpisode(buffer, observations[^1], episode);
        }

        // The ring of 32 + 2 + 8 = 42 frames still holds the frames of the newest 32 transitions.
        Assert.Equal(32, buffer.Count);
        var all = observations.SelectMany(episode => episode.Zip(episode.Skip(1))).ToList();
        for (int i = 0; i < buffer.Count; i++)
        {
            var (expectedObservation, expectedNext) = all[all.Count - buffer.Count + i];
            Assert.Equal(expectedObservation, buffer.Get(i).Observation);
            Assert.Equal(expectedNext, buffer.Get(i).NextObservation);
        }
    }

    [Fact]
    public void Add_WithEpisodesTooShortToShareFrames_DropsTransitionsWhoseFramesAreOverwritten()
    {
        var buffer = new FrameReplayBuffer(capacity: 16, Stack, FrameBytes);
        for (int episode = 0; episode < 10; episode++) AddEpisode(buffer, Episode(episode, 1), episode);

        // Each one-step episode writes 5 frames; a ring of 16 + 1 + 8 = 25 frames keeps the last 5 episodes.
        Assert.Equal(5, buffer.Count);
        Assert.Equal(Episode(9, 1)[1], buffer.Get(4).NextObservation);
        Assert.Equal(Episode(5, 1)[0], buffer.Get(0).Observation);
    }

    [Fact]
    public void Sample_DrawsStoredTransitions_ReproduciblyFromTheSeed()
    {
        var buffer = new FrameReplayBuffer(capacity: 100, Stack, FrameBytes);
        var observations = Episode(0, 30);
        AddEpisode(buffer, observations, 0);
        var batch = new FrameBatch(8, Stack * FrameBytes);
        var again = new FrameBatch(8, Stack * FrameBytes);

        buffer.Sample(batch, new SeededRandom(3));
        buffer.Sample(again, new SeededRandom(3));

        Assert.Equal(batch.Observations, again.Observations);
        for (int i = 0; i < batch.Size; i++)
        {
            // Frames hold the step index + 1, so the observation's newest frame names the transition.
            int t = batch.Observations[(i + 1) * Stack * FrameBytes - 1] - 1;
            Assert.Equal(observations[t], batch.Observations.AsSpan(i * Stack * FrameBytes, Stack * FrameBytes).ToArray());
            Assert.Equal(observations[t + 1], batch.NextObservations.AsSpan(i * Stack * FrameBytes, Stack * FrameBytes).ToArray());
            Assert.Equal(t % 3, batch.Actions[i]);
            Assert.Equal(t == 29 ? 1f : 0f, batch.Terminated[i]);
        }
    }

    [Fact]
    public void SaveThenLoad_GivesTheSameTransitions_AndSamples()
    {
        using var directory = new TemporaryDirectory();
        var buffer = new FrameReplayBuffer(capacity: 24, Stack, FrameBytes);
        for (int episode = 0; episode < 3; episode++) AddEpisode(buffer, Episode(episode, 12), episode);
        string path = directory.Combine("buffer.bin");

        buffer.Save(path);
        var loaded = FrameReplayBuffer.Load(path);

        Assert.Equal(buffer.Count, loaded.Count);
        Assert.Equal(buffer.FramesWritten, loaded.FramesWritten);
        for (int i = 0; i < buffer.Count; i++) Assert.Equal(buffer.Get(i), loaded.Get(i), TransitionEquals);
        var original = new FrameBatch(16, Stack * FrameBytes);
        var fromFile = new FrameBatch(16, Stack * FrameBytes);
        buffer.Sample(original, new SeededRandom(9));
        loaded.Sample(fromFile, new SeededRandom(9));
        Assert.Equal(original.NextObservations, fromFile.NextObservations);
        // Both continue the same way.
        AddEpisode(buffer, Episode(7, 5), 7);
        AddEpisode(loaded, Episode(7, 5), 7);
        Assert.Equal(buffer.Get(buffer.Count - 1), loaded.Get(loaded.Count - 1), TransitionEquals);
    }

    [Fact]
    public void Load_OfATruncatedFile_SaysWhatSizeItShouldHave()
    {
        using var directory = new TemporaryDirectory();
        var buffer = new FrameReplayBuffer(capacity: 8, Stack, FrameBytes);
        AddEpisode(buffer, Episode(0, 3), 0);
        string path = directory.Combine("buffer.bin");
        buffer.Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);

        var error = Assert.Throws<InvalidDataException>(() => FrameReplayBuffer.Load(path));

        Assert.Contains($"should be {bytes.Length} bytes for 7 frames and 3 transitions; it is {bytes.Length - 5} bytes", error.Message);
    }

    [Fact]
    public void Add_OfAnObservationOfTheWrongSize_NamesBothSizes()
    {
        var buffer = new FrameReplayBuffer(capacity: 8, Stack, FrameBytes);

        var error = Assert.Throws<ArgumentException>(() => buffer.Add(new byte[10], 0, 0, new byte[Stack * FrameBytes], false));

        Assert.StartsWith("observation has 10 bytes; this buffer stores 4 frames of 6 bytes", error.Message);
    }

    private static bool TransitionEquals(
        (byte[] Observation, long Action, float Reward, byte[] NextObservation, bool Terminated) left,
        (byte[] Observation, long Action, float Reward, byte[] NextObservation, bool Terminated) right) =>
        left.Observation.SequenceEqual(right.Observation) && left.NextObservation.SequenceEqual(right.NextObservation) &&
        (left.Action, left.Reward, left.Terminated) == (right.Action, right.Reward, right.Terminated);
}
