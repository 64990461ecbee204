using System.Runtime.InteropServices;
using ZeroGym.Torch;

namespace ZeroGym.Tests.Torch;

/// <summary>
/// Loading the torch shim tunes glibc's malloc (Interop/Native/allocator.cpp) so that a training step's buffers come
/// back from the heap instead of being mapped and faulted in afresh at every step, which cost ddqn-mario's update a
/// third of its time.
/// </summary>
public sealed unsafe partial class AllocatorTests
{
    // glibc marks a block it mapped with mmap (one above M_MMAP_THRESHOLD) in the size word just before the block.
    private const nuint MappedBit = 2;

    [Fact]
    public void ABlockOfThirtyMiB_ComesFromTheHeap_OnceTheShimIsLoaded()
    {
        Assert.NotEmpty(LibTorch.Version); // loads libzerogym_torch
        void* block = Malloc(30 << 20);
        Assert.True(block != null, "malloc of 30 MiB failed");
        try
        {
            nuint sizeWord = ((nuint*)block)[-1];
            Assert.True((sizeWord & MappedBit) == 0,
                "expected a 30 MiB block from glibc's heap, found one mapped by mmap: the mmap threshold is below 30 MiB");
        }
        finally
        {
            Free(block);
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "malloc")]
    private static partial void* Malloc(nuint size);

    [LibraryImport("libc.so.6", EntryPoint = "free")]
    private static partial void Free(void* block);
}
