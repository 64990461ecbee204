namespace ZeroGym.Tests.Torch;

/// <summary>
/// Tests that count live native tensors or measure the process's memory; they run alone, since tensors made by
/// tests running in parallel would change the counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryCollection
{
    public const string Name = "Native memory";
}
