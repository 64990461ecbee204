using ZeroGym.Arrays;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Domain;

public sealed class BoxCoerceTests
{
    private static readonly Box Pixels = new(0, 255, [2], DType.UInt8);

    [Fact]
    public void Coerce_IntegersTheDTypeHolds_ConvertsThem()
    {
        var action = (NDArray)Pixels.Coerce(NDArray.From([0L, 255L]));

        Assert.Equal(DType.UInt8, action.DType);
        Assert.Equal([0, 255], action.ToArray<byte>());
        Assert.True(Pixels.Contains(action));
    }

    [Theory]
    [InlineData(256L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    public void Coerce_AnIntegerTheDTypeCannotHold_IsRefusedRatherThanWrapped(long outOfRange)
    {
        var error = Assert.Throws<ArgumentException>(() => Pixels.Coerce(NDArray.From([1L, outOfRange])));

        Assert.Contains($"element 1 is {outOfRange}", error.Message);
    }

    [Fact]
    public void Coerce_AListWithAnIntegerTheDTypeCannotHold_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Pixels.Coerce(new object?[] { 3L, 300L }));
}
