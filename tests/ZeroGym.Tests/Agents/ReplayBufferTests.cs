using ZeroGym.Agents.Common;

namespace ZeroGym.Tests.Agents;

public sealed class ReplayBufferTests
{
    /// <summary>Adds transition <paramref name="i"/>, whose every field is derived from i so a sample can be traced back.</summary>
    private static void AddMarked(ReplayBuffer buffer, int i) =>
        buffer.Add([i, i + 0.25f], [i % 2], reward: i * 10, [i + 0.5f, i + 0.75f], terminated: i % 3 == 0);

    private static void AssertRowIsTransition(Batch batch, int row, HashSet<int> allowed)
    {
        int i = (int)batch.Observations[row * 2];
        Assert.Contains(i, allowed);
        Assert.Equal(i + 0.25f, batch.Observations[row * 2 + 1]);
        Assert.Equal(i % 2, batch.Actions[row]);
        Assert.Equal(i * 10, batch.Rewards[row]);
        Assert.Equal(i + 0.5f, batch.NextObservations[row * 2]);
        Assert.Equal(i + 0.75f, batch.NextObservations[row * 2 + 1]);
        Assert.Equal(i % 3 == 0 ? 1f : 0f, batch.Terminated[row]);
    }

    [Fact]
    public void Sample_ReturnsWholeTransitionsThatWereAdded()
    {
        var buffer = new ReplayBuffer(capacity: 100, observationSize: 2);
        for (int i = 0; i < 40; i++) AddMarked(buffer, i);

        var batch = buffer.Sample(256, new SeededRandom(0));

        Assert.Equal(256, batch.Size);
        Assert.Equal(512, batch.Observations.Length);
        var seen = new HashSet<int>();
        for (int row = 0; row < batch.Size; row++)
        {
            AssertRowIsTransition(batch, row, [.. Enumerable.Range(0, 40)]);
            seen.Add((int)batch.Observations[row * 2]);
        }

        Assert.True(seen.Count > 30, $"256 uniform draws from 40 transitions should reach most of them; reached {seen.Count}");
    }

    [Fact]
    public void Add_BeyondCapacity_OverwritesTheOldest()
    {
        var buffer = new ReplayBuffer(capacity: 3, observationSize: 2);
        for (int i = 0; i < 5; i++) AddMarked(buffer, i);

        var batch = buffer.Sample(200, new SeededRandom(1));

        Assert.Equal(3, buffer.Count);
        for (int row = 0; row < batch.Size; row++) AssertRowIsTransition(batch, row, [2, 3, 4]);
        Assert.Equal([20f, 30f, 40f], batch.Rewards.Distinct().Order());
    }

    [Fact]
    public void Sample_WithTheSameRandomState_DrawsTheSameBatch()
    {
        var buffer = new ReplayBuffer(capacity: 50, observationSize: 2);
        for (int i = 0; i < 50; i++) AddMarked(buffer, i);

        var first = buffer.Sample(32, new SeededRandom(9));
        var second = buffer.Sample(32, new SeededRandom(9));
        var other = buffer.Sample(32, new SeededRandom(10));

        Assert.Equal(first.Observations, second.Observations);
        Assert.Equal(first.Rewards, second.Rewards);
        Assert.NotEqual(first.Rewards, other.Rewards);
    }

    [Fact]
    public void SaveAndLoad_GiveABufferThatSamplesAndWrapsIdentically()
    {
        using var directory = new TemporaryDirectory();
        var buffer = new ReplayBuffer(capacity: 8, observationSize: 2, actionSize: 1);
        for (int i = 0; i < 11; i++) AddMarked(buffer, i); // wrapped: the next slot is 3
        string path = directory.Combine("buffer.bin");

        buffer.Save(path);
        var loaded = ReplayBuffer.Load(path);
        AddMarked(buffer, 11);
        AddMarked(loaded, 11);

        Assert.Equal((8, 2, 1, 8), (loaded.Capacity, loaded.ObservationSize, loaded.ActionSize, loaded.Count));
        var expected = buffer.Sample(64, new SeededRandom(5));
        var actual = loaded.Sample(64, new SeededRandom(5));
        Assert.Equal(expected.Observations, actual.Observations);
        Assert.Equal(expected.Actions, actual.Actions);
        Assert.Equal(expected.Rewards, actual.Rewards);
        Assert.Equal(expected.NextObservations, actual.NextObservations);
        Assert.Equal(expected.Terminated, actual.Terminated);
        Assert.DoesNotContain(30f, actual.Rewards); // transition 3 was the oldest and is overwritten in both
    }

    [Fact]
    public void SaveAndLoad_OfAPartlyFilledBuffer_KeepsOnlyTheFilledSlots()
    {
        using var directory = new TemporaryDirectory();
        var buffer = new ReplayBuffer(capacity: 1000, observationSize: 2);
        for (int i = 0; i < 5; i++) AddMarked(buffer, i);
        string path = directory.Combine("buffer.bin");

        buffer.Save(path);
        var loaded = ReplayBuffer.Load(path);

        Assert.Equal(28 + 5 * (2 + 1 + 1 + 2 + 1) * sizeof(float), new FileInfo(path).Length);
        Assert.Equal(5, loaded.Count);
        var batch = loaded.Sample(50, new SeededRandom(3));
        for (int row = 0; row < batch.Size; row++) AssertRowIsTransition(batch, row, [0, 1, 2, 3, 4]);
    }

    [Fact]
    public void Load_OfATruncatedFile_SaysHowLongItShouldBe()
    {
        using var directory = new TemporaryDirectory();
        var buffer = new ReplayBuffer(capacity: 10, observationSize: 2);
        for (int i = 0; i < 4; i++) AddMarked(buffer, i);
        string path = directory.Combine("buffer.bin");
        buffer.Save(path);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^4]);

        var error = Assert.Throws<InvalidDataException>(() => ReplayBuffer.Load(path));

        Assert.Contains("should be 140 bytes for 4 transitions", error.Message);
    }

    [Fact]
    public void Load_OfAnotherFile_SaysItIsNotAReplayBuffer()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.Combine("state.json");
        File.WriteAllText(path, "{\"step\": 1, \"padding\": \"..........................\"}");

        var error = Assert.Throws<InvalidDataException>(() => ReplayBuffer.Load(path));

        Assert.Contains("not a replay buffer", error.Message);
    }

    [Fact]
    public void Add_WithAnObservationOfAnotherSize_NamesBothSizes()
    {
        var buffer = new ReplayBuffer(capacity: 4, observationSize: 4);

        var error = Assert.Throws<ArgumentException>(() => buffer.Add([1f, 2f, 3f], [0f], 1f, [1f, 2f, 3f, 4f], false));

        Assert.Contains("observation has 3 values; this buffer stores 4", error.Message);
    }

    [Fact]
    public void Sample_FromAnEmptyBuffer_Throws()
    {
        var buffer = new ReplayBuffer(capacity: 4, observationSize: 1);

        Assert.Throws<InvalidOperationException>(() => buffer.Sample(1, new SeededRandom(0)));
    }
}
