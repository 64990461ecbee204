using System.Runtime.InteropServices;

namespace ZeroGym.Agents.Common;

/// <summary>
/// A uniform replay buffer over fixed-size float32 observations, as CleanRL's DQN uses: a ring of the last
/// <c>capacity</c> transitions, sampled uniformly with replacement. It can be saved and loaded whole, so a resumed run
/// samples exactly what an uninterrupted one would have.
/// </summary>
/// <remarks>
/// File format (little-endian): the 4 ASCII bytes <c>ZGRB</c>; int32 version (1), capacity, observation size, action
/// size, count and next slot; then the first <c>count</c> slots of each array as float32, in this order:
/// observations (count × observation size), actions (count × action size), rewards (count), next observations
/// (count × observation size), terminated (count, 0 or 1).
/// </remarks>
public sealed class ReplayBuffer
{
    private static readonly byte[] Magic = "ZGRB"u8.ToArray();
    private const int FormatVersion = 1;
    private const int HeaderBytes = 4 + 6 * sizeof(int);

    private readonly float[] observations;
    private readonly float[] actions;
    private readonly float[] rewards;
    private readonly float[] nextObservations;
    private readonly float[] terminated;
    private int next;

    /// <param name="capacity">Transitions kept; the oldest is overwritten once full.</param>
    /// <param name="observationSize">float32 values per observation.</param>
    /// <param name="actionSize">float32 values per action (1 for a discrete action, stored as its index).</param>
    public ReplayBuffer(int capacity, int observationSize, int actionSize = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(observationSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(actionSize);
        Capacity = capacity;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        observations = new float[checked(capacity * observationSize)];
        actions = new float[checked(capacity * actionSize)];
        rewards = new float[capacity];
        nextObservations = new float[checked(capacity * observationSize)];
        terminated = new float[capacity];
    }

    public int Capacity { get; }

    public int ObservationSize { get; }

    public int ActionSize { get; }

    /// <summary>Transitions stored, at most <see cref="Capacity"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Stores one transition, overwriting the oldest when the buffer is full.</summary>
    public void Add(ReadOnlySpan<float> observation, ReadOnlySpan<float> action, float reward, ReadOnlySpan<float> nextObservation, bool terminated)
    {
        CheckLength(observation, ObservationSize, nameof(observation));
        CheckLength(action, ActionSize, nameof(action));
        CheckLength(nextObservation, ObservationSize, nameof(nextObservation));
        observation.CopyTo(observations.AsSpan(next * ObservationSize, ObservationSize));
        action.CopyTo(actions.AsSpan(next * ActionSize, ActionSize));
        rewards[next] = reward;
        nextObservation.CopyTo(nextObservations.AsSpan(next * ObservationSize, ObservationSize));
        this.terminated[next] = terminated ? 1f : 0f;
        next = (next + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
    }

    /// <summary><paramref name="batchSize"/> transitions drawn uniformly with replacement, using <paramref name="random"/>.</summary>
    public Batch Sample(int batchSize, SeededRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var batch = new Batch(
            new float[batchSize * ObservationSize], new float[batchSize * ActionSize], new float[batchSize],
            new float[batchSize * ObservationSize], new float[batchSize], batchSize);
        SampleInto(batch, random);
        return batch;
    }

    /// <summary>
    /// Refills <paramref name="batch"/> (made for this buffer's sizes) with <see cref="Batch.Size"/> transitions drawn
    /// as <see cref="Sample"/> draws them; reusing one batch keeps every update free of managed allocations.
    /// </summary>
    public void SampleInto(Batch batch, SeededRandom random)
    {
        if (Count == 0) throw new InvalidOperationException("cannot sample from an empty replay buffer; add transitions first");
        int batchSize = batch.Size;
        if (batch.Observations.Length != batchSize * ObservationSize || batch.Actions.Length != batchSize * ActionSize)
        {
            throw new ArgumentException($"the batch holds observations of {batch.Observations.Length / batchSize} values and actions of " +
                $"{batch.Actions.Length / batchSize}; this buffer stores {ObservationSize} and {ActionSize}", nameof(batch));
        }

        for (int i = 0; i < batchSize; i++)
        {
            int slot = random.Next(Count);
            observations.AsSpan(slot * ObservationSize, ObservationSize).CopyTo(batch.Observations.AsSpan(i * ObservationSize));
            actions.AsSpan(slot * ActionSize, ActionSize).CopyTo(batch.Actions.AsSpan(i * ActionSize));
            batch.Rewards[i] = rewards[slot];
            nextObservations.AsSpan(slot * ObservationSize, ObservationSize).CopyTo(batch.NextObservations.AsSpan(i * ObservationSize));
            batch.Terminated[i] = terminated[slot];
        }
    }

    /// <summary>Writes the whole buffer to <paramref name="path"/> (format in the class remarks).</summary>
    public void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Magic);
        foreach (int value in (int[])[FormatVersion, Capacity, ObservationSize, ActionSize, Count, next]) writer.Write(value);
        WriteFloats(writer, observations.AsSpan(0, Count * ObservationSize));
        WriteFloats(writer, actions.AsSpan(0, Count * ActionSize));
        WriteFloats(writer, rewards.AsSpan(0, Count));
        WriteFloats(writer, nextObservations.AsSpan(0, Count * ObservationSize));
        WriteFloats(writer, terminated.AsSpan(0, Count));
    }

    /// <summary>Reads a buffer written by <see cref="Save"/>; a file in another format is an <see cref="InvalidDataException"/>.</summary>
    public static ReplayBuffer Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        long length = reader.BaseStream.Length;
        if (length < HeaderBytes || !reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} is not a replay buffer: expected a file starting with 'ZGRB'");
        }

        int version = reader.ReadInt32(), capacity = reader.ReadInt32(), observationSize = reader.ReadInt32(),
            actionSize = reader.ReadInt32(), count = reader.ReadInt32(), next = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"{path} is a replay buffer of format version {version}; this build reads version {FormatVersion}");
        }

        if (capacity <= 0 || observationSize <= 0 || actionSize <= 0 || count < 0 || count > capacity || next < 0 || next >= capacity)
        {
            throw new InvalidDataException(
                $"{path} has an inconsistent header: capacity {capacity}, observation size {observationSize}, " +
                $"action size {actionSize}, count {count}, next slot {next}");
        }

        long expected = HeaderBytes + (long)count * (2L * observationSize + actionSize + 2) * sizeof(float);
        if (length != expected)
        {
            throw new InvalidDataException($"{path} should be {expected} bytes for {count} transitions; it is {length} bytes");
        }

        var buffer = new ReplayBuffer(capacity, observationSize, actionSize) { Count = count, next = next };
        ReadFloats(reader, buffer.observations.AsSpan(0, count * observationSize));
        ReadFloats(reader, buffer.actions.AsSpan(0, count * actionSize));
        ReadFloats(reader, buffer.rewards.AsSpan(0, count));
        ReadFloats(reader, buffer.nextObservations.AsSpan(0, count * observationSize));
        ReadFloats(reader, buffer.terminated.AsSpan(0, count));
        return buffer;
    }

    private static void CheckLength(ReadOnlySpan<float> values, int expected, string name)
    {
        if (values.Length != expected)
        {
            throw new ArgumentException($"{name} has {values.Length} values; this buffer stores {expected}", name);
        }
    }

    // Every platform .NET runs ZeroGym on is little-endian, the file's byte order, so the arrays are written as they lie in memory.
    private static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values) => writer.Write(MemoryMarshal.AsBytes(values));

    private static void ReadFloats(BinaryReader reader, Span<float> values) => reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values));
}
