namespace ZeroGym.Tests.Torch;

/// <summary>
/// Tests that seed libtorch's process-wide generator and then expect its exact draws (reproducible initialisation,
/// runs compared bit for bit): they run one after another, since another test drawing in between changes the draws.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TorchGeneratorCollection
{
    public const string Name = "libtorch's generator";
}
