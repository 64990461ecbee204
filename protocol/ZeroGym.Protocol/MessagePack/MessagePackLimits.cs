namespace ZeroGym.Protocol.MessagePack;

/// <summary>Bounds that keep hostile input from exhausting the stack.</summary>
/// <param name="MaxDepth">
/// How many arrays, maps and <see cref="IMessagePackWritable"/> values may nest inside each other in
/// <see cref="MessagePackReader.ReadValue"/>, <see cref="MessagePackReader.Skip"/> and
/// <see cref="MessagePackWriter.WriteValue"/>; 0 allows only scalars.
/// </param>
public sealed record MessagePackLimits(int MaxDepth = 64)
{
    /// <summary>The limits used when none are given: a depth of 64.</summary>
    public static readonly MessagePackLimits Default = new();

    public int MaxDepth { get; init => field = CheckDepth(value); } = CheckDepth(MaxDepth);

    private static int CheckDepth(int depth) =>
        depth >= 0 ? depth : throw new ArgumentOutOfRangeException(nameof(MaxDepth), depth, "expected a depth of 0 or more");
}
