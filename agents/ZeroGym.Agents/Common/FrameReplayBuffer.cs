namespace ZeroGym.Agents.Common;

/// <summary>
/// A uniform replay buffer for stacked uint8 frames (observations of shape [stack, ...], oldest frame first, as the
/// frame_stack wrapper makes them) that keeps each frame once. Consecutive observations share all but one frame, so
/// storing whole observations would keep every frame <c>stack</c> times, twice (as observation and as next
/// observation): 100,000 Mario transitions would take 5.6 GB instead of 0.75 GB.
/// </summary>
/// <remarks>
/// <para>Frames go into a ring, numbered from 0 in the order written. An observation is <c>stack</c> consecutive frame
/// numbers, so a transition keeps the first frame number of its observation and of its next observation. When an
/// observation arrives whose first frames are the newest stored ones (the next step of the same episode), only its
/// new frame is written; an observation equal to the newest stored one (the next observation of the previous step)
/// writes nothing; anything else (a reset) writes all its frames. The equality is checked on the bytes, so the
/// buffer never depends on how the env pads a new stack.</para>
/// <para>The frame ring holds <see cref="Capacity"/> + 1/16 frames; a transition whose frames were overwritten
/// leaves the buffer. A reset costs <c>stack</c> - 1 extra frames, so with episodes shorter than about 16 × stack
/// steps the buffer holds fewer than <see cref="Capacity"/> transitions.</para>
/// <para>File format (little-endian): the 4 ASCII bytes <c>ZGFB</c>; int32 version (1), capacity, stack, frame bytes,
/// frame capacity; int64 frames written; int32 count; then the stored frames (min(frames written, frame capacity)
/// of them, oldest first), then per transition, oldest first: int64 observation frame, int64 next observation
/// frame, int64 action, float32 reward, byte terminated.</para>
/// </remarks>
public sealed class FrameReplayBuffer
{
    private static readonly byte[] Magic = "ZGFB"u8.ToArray();
    private const int FormatVersion = 1;

    private readonly byte[] frames;
    private readonly long[] observationFrames;
    private readonly long[] nextObservationFrames;
    private readonly long[] actions;
    private readonly float[] rewards;
    private readonly bool[] terminated;
    private long framesWritten;
    private int oldest;

    /// <param name="capacity">Transitions kept; the oldest leave first.</param>
    /// <param name="stack">Frames per observation.</param>
    /// <param name="frameBytes">Bytes per frame (84 × 84 for the Mario wrappers).</param>
    public FrameReplayBuffer(int capacity, int stack, int frameBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stack);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameBytes);
        Capacity = capacity;
        Stack = stack;
        FrameBytes = frameBytes;
        FrameCapacity = checked(capacity + capacity / 16 + 2 * stack);
        frames = new byte[checked(FrameCapacity * frameBytes)]; // one array: at most 2 GiB of frames
        observationFrames = new long[capacity];
        nextObservationFrames = new long[capacity];
        actions = new long[capacity];
        rewards = new float[capacity];
        terminated = new bool[capacity];
    }

    public int Capacity { get; }

    public int Stack { get; }

    public int FrameBytes { get; }

    /// <summary>Frames the ring holds.</summary>
    public int FrameCapacity { get; }

    /// <summary>Bytes per observation: <see cref="Stack"/> × <see cref="FrameBytes"/>.</summary>
    public int ObservationBytes => Stack * FrameBytes;

    /// <summary>Transitions stored, at most <see cref="Capacity"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Frames written since the buffer was created (a measure of how well frames are shared).</summary>
    public long FramesWritten => framesWritten;

    /// <summary>Stores one transition, dropping the oldest when the buffer is full or its frames are gone.</summary>
    public void Add(ReadOnlySpan<byte> observation, long action, float reward, ReadOnlySpan<byte> nextObservation, bool isTerminal)
    {
        CheckLength(observation, nameof(observation));
        CheckLength(nextObservation, nameof(nextObservation));
        long observationStart = Store(observation);
        long nextStart = Store(nextObservation);
        if (Count == Capacity) DropOldest();
        int slot = (oldest + Count) % Capacity;
        observationFrames[slot] = observationStart;
        nextObservationFrames[slot] = nextStart;
        actions[slot] = action;
        rewards[slot] = reward;
        terminated[slot] = isTerminal;
        Count++;
    }

    /// <summary>
    /// Fills <paramref name="batch"/> with transitions drawn uniformly with replacement by <paramref name="random"/>.
    /// </summary>
    public void Sample(FrameBatch batch, SeededRandom random)
    {
        if (Count == 0) throw new InvalidOperationException("cannot sample from an empty replay buffer");
        if (batch.ObservationBytes != ObservationBytes)
        {
            throw new ArgumentException($"the batch holds observations of {batch.ObservationBytes} bytes; this buffer's are {ObservationBytes}", nameof(batch));
        }

        for (int i = 0; i < batch.Size; i++)
        {
            int slot = (oldest + random.Next(Count)) % Capacity;
            CopyObservation(observationFrames[slot], batch.Observations.AsSpan(i * ObservationBytes, ObservationBytes));
            CopyObservation(nextObservationFrames[slot], batch.NextObservations.AsSpan(i * ObservationBytes, ObservationBytes));
            batch.Actions[i] = actions[slot];
            batch.Rewards[i] = rewards[slot];
            batch.Terminated[i] = terminated[slot] ? 1f : 0f;
        }
    }

    /// <summary>Transition <paramref name="index"/> (0 = the oldest) as stored, for tests and inspection.</summary>
    public (byte[] Observation, long Action, float Reward, byte[] NextObservation, bool Terminated) Get(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int slot = (oldest + index) % Capacity;
        byte[] observation = new byte[ObservationBytes], next = new byte[ObservationBytes];
        CopyObservation(observationFrames[slot], observation);
        CopyObservation(nextObservationFrames[slot], next);
        return (observation, actions[slot], rewards[slot], next, terminated[slot]);
    }

    // ---------------------------------------------------------------- frames

    /// <summary>Returns the first frame number of an observation equal to <paramref name="observation"/>, writing only the frames not already newest in the ring.</summary>
    private long Store(ReadOnlySpan<byte> observation)
    {
        // Same as the newest observation: nothing to write. Shifted by one frame: write the new frame only.
        if (NewestFramesEqual(observation, Stack)) return framesWritten - Stack;
        int shared = NewestFramesEqual(observation[..((Stack - 1) * FrameBytes)], Stack - 1) ? Stack - 1 : 0;
        for (int frame = shared; frame < Stack; frame++) WriteFrame(observation.Slice(frame * FrameBytes, FrameBytes));
        while (Count > 0 && observationFrames[oldest] < framesWritten - FrameCapacity) DropOldest();
        return framesWritten - Stack;
    }

    /// <summary>Whether the newest <paramref name="count"/> frames of the ring are <paramref name="leadingFrames"/>.</summary>
    private bool NewestFramesEqual(ReadOnlySpan<byte> leadingFrames, int count)
    {
        if (count == 0 || framesWritten < count) return false;
        for (int i = 0; i < count; i++)
        {
            if (!FrameAt(framesWritten - count + i).SequenceEqual(leadingFrames.Slice(i * FrameBytes, FrameBytes))) return false;
        }

        return true;
    }

    private void WriteFrame(ReadOnlySpan<byte> frame)
    {
        frame.CopyTo(frames.AsSpan(FrameOffset(framesWritten), FrameBytes));
        framesWritten++;
    }

    private Span<byte> FrameAt(long number) => frames.AsSpan(FrameOffset(number), FrameBytes);

    private int FrameOffset(long number) => (int)(number % FrameCapacity) * FrameBytes;

    private void CopyObservation(long firstFrame, Span<byte> destination)
    {
        for (int i = 0; i < Stack; i++) FrameAt(firstFrame + i).CopyTo(destination.Slice(i * FrameBytes, FrameBytes));
    }

    private void DropOldest()
    {
        oldest = (oldest + 1) % Capacity;
        Count--;
    }

    private void CheckLength(ReadOnlySpan<byte> observation, string name)
    {
        if (observation.Length != ObservationBytes)
        {
            throw new ArgumentException($"{name} has {observation.Length} bytes; this buffer stores {Stack} frames of {FrameBytes} bytes", name);
        }
    }

    // ---------------------------------------------------------------- files

    /// <summary>Writes the buffer to <paramref name="path"/> (format in the class remarks).</summary>
    public void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Magic);
        foreach (int value in (int[])[FormatVersion, Capacity, Stack, FrameBytes, FrameCapacity]) writer.Write(value);
        writer.Write(framesWritten);
        writer.Write(Count);
        for (long number = Math.Max(0, framesWritten - FrameCapacity); number < framesWritten; number++) writer.Write(FrameAt(number));
        for (int i = 0; i < Count; i++)
        {
            int slot = (oldest + i) % Capacity;
            writer.Write(observationFrames[slot]);
            writer.Write(nextObservationFrames[slot]);
            writer.Write(actions[slot]);
            writer.Write(rewards[slot]);
            writer.Write(terminated[slot]);
        }
    }

    /// <summary>Reads a buffer written by <see cref="Save"/>; a file in another format is an <see cref="InvalidDataException"/>.</summary>
    public static FrameReplayBuffer Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.BaseStream.Length < 4 + 5 * sizeof(int) + sizeof(long) + sizeof(int) || !reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} is not a frame replay buffer: expected a file starting with 'ZGFB'");
        }

        int version = reader.ReadInt32(), capacity = reader.ReadInt32(), stack = reader.ReadInt32(), frameBytes = reader.ReadInt32(), frameCapacity = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"{path} is a frame replay buffer of format version {version}; this build reads version {FormatVersion}");
        }

        long written = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (capacity <= 0 || stack <= 0 || frameBytes <= 0 || written < 0 || count < 0 || count > capacity)
        {
            throw new InvalidDataException(
                $"{path} has an inconsistent header: capacity {capacity}, stack {stack}, frame bytes {frameBytes}, frames written {written}, count {count}");
        }

        var buffer = new FrameReplayBuffer(capacity, stack, frameBytes);
        if (buffer.FrameCapacity != frameCapacity)
        {
            throw new InvalidDataException($"{path} was written with a ring of {frameCapacity} frames; this build makes {buffer.FrameCapacity} for capacity {capacity}");
        }

        long storedFrames = Math.Min(written, frameCapacity);
        long expected = reader.BaseStream.Position + storedFrames * frameBytes + count * (3L * sizeof(long) + sizeof(float) + 1);
        if (reader.BaseStream.Length != expected)
        {
            throw new InvalidDataException($"{path} should be {expected} bytes for {storedFrames} frames and {count} transitions; it is {reader.BaseStream.Length} bytes");
        }

        for (long number = written - storedFrames; number < written; number++) reader.BaseStream.ReadExactly(buffer.FrameAt(number));
        buffer.framesWritten = written;
        for (int slot = 0; slot < count; slot++)
        {
            buffer.observationFrames[slot] = reader.ReadInt64();
            buffer.nextObservationFrames[slot] = reader.ReadInt64();
            buffer.actions[slot] = reader.ReadInt64();
            buffer.rewards[slot] = reader.ReadSingle();
            buffer.terminated[slot] = reader.ReadBoolean();
            if (buffer.observationFrames[slot] < written - storedFrames || buffer.nextObservationFrames[slot] + stack > written)
            {
                throw new InvalidDataException($"{path}: transition {slot} refers to frames that are not in the file");
            }
        }

        buffer.Count = count;
        return buffer;
    }
}

/// <summary>
/// Transitions sampled from a <see cref="FrameReplayBuffer"/>, row-major: transition i's observation is
/// <c>Observations[i * ObservationBytes .. (i + 1) * ObservationBytes]</c> (uint8 frames, oldest first).
/// </summary>
public sealed class FrameBatch(int size, int observationBytes)
{
    public int Size { get; } = size;

    public int ObservationBytes { get; } = observationBytes;

    public byte[] Observations { get; } = new byte[size * observationBytes];

    public byte[] NextObservations { get; } = new byte[size * observationBytes];

    public long[] Actions { get; } = new long[size];

    public float[] Rewards { get; } = new float[size];

    /// <summary>1 where the episode reached a terminal state after the action, else 0.</summary>
    public float[] Terminated { get; } = new float[size];
}
