using ZeroGym.Arrays;
using ZeroGym.Envs.Vector;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Envs;

/// <summary>Batching against gymnasium.vector.utils: batch_space, concatenate and iterate.</summary>
public class BatchingTests
{
    private static readonly Box Float32Box = new(-1, 2, [3], DType.Float32);

    public static TheoryData<string> SpaceNames => new(Spaces.Keys);

    private static Dictionary<string, Space> Spaces => new()
    {
        ["Box"] = Float32Box,
        ["Box2D"] = new Box(0, 255, [2, 3], DType.UInt8),
        ["Discrete"] = new Discrete(5, start: -2),
        ["MultiBinary"] = new MultiBinary(2, 2),
        ["MultiDiscrete"] = new MultiDiscrete(3, 4, 2),
        ["Tuple"] = new TupleSpace([new Discrete(3), Float32Box]),
        ["Dict"] = new DictSpace(
        [
            KeyValuePair.Create<string, Space>("position", Float32Box),
            KeyValuePair.Create<string, Space>("nested", new TupleSpace([new MultiBinary(3), new Discrete(2)])),
        ]),
    };

    [Theory]
    [MemberData(nameof(SpaceNames))]
    public void ConcatenateThenIterate_GivesBackTheValues(string name)
    {
        var space = Spaces[name];
        var random = new Random(name.Length);
        var values = Enumerable.Range(0, 4).Select(_ => space.Sample(random)).ToList();

        var batched = Batching.Concatenate(space, values);
        var back = Batching.Iterate(space, batched, 4);

        Assert.True(Batching.BatchSpace(space, 4).Contains(batched), $"{name}: the batch should lie in the batched space");
        Assert.Equal(4, back.Count);
        for (int i = 0; i < 4; i++) CanonicalValues.AssertEqual(values[i], back[i], $"{name}[{i}]");
    }

    [Fact]
    public void BatchSpace_OfBox_AddsALeadingDimension()
    {
        var batched = Assert.IsType<Box>(Batching.BatchSpace(Float32Box, 2));

        Assert.Equal(new Box(-1, 2, [2, 3], DType.Float32), batched);
    }

    [Fact]
    public void BatchSpace_OfBoxWithPerElementBounds_TilesTheBounds()
    {
        var single = new Box(NDArray.From([0.0, -1.0]), NDArray.From([1.0, 5.0]));

        var batched = Assert.IsType<Box>(Batching.BatchSpace(single, 3));

        Assert.Equal([3, 2], batched.Shape);
        Assert.Equal([0.0, -1.0, 0.0, -1.0, 0.0, -1.0], batched.Low.ToArray<double>());
        Assert.Equal([1.0, 5.0, 1.0, 5.0, 1.0, 5.0], batched.High.ToArray<double>());
    }

    [Fact]
    public void BatchSpace_OfDiscrete_IsMultiDiscreteWithTheSameStart()
    {
        var batched = Batching.BatchSpace(new Discrete(5, start: 2), 3);

        Assert.Equal(new MultiDiscrete(NDArray.From([5L, 5, 5]), NDArray.From([2L, 2, 2])), batched);
    }

    [Fact]
    public void BatchSpace_OfOneDiscrete_IsOneDimensional()
    {
        var batched = Assert.IsType<MultiDiscrete>(Batching.BatchSpace(new Discrete(2), 1));

        Assert.Equal([1], batched.Shape);
        Assert.True(batched.Contains(NDArray.From([1L], 1)));
    }

    [Fact]
    public void Concatenate_OfOneDiscreteValue_IsOneDimensional()
    {
        var batched = Assert.IsType<NDArray>(Batching.Concatenate(new Discrete(2), [1L]));

        Assert.Equal([1], batched.Shape);
    }

    [Fact]
    public void BatchSpace_OfMultiDiscrete_IsAnInt64BoxUpToStartPlusNvecMinusOne()
    {
        var single = new MultiDiscrete(NDArray.From([3L, 4]), NDArray.From([1L, -1]));

        var batched = Assert.IsType<Box>(Batching.BatchSpace(single, 2));

        Assert.Equal(DType.Int64, batched.DType);
        Assert.Equal([2, 2], batched.Shape);
        Assert.Equal([1L, -1, 1, -1], batched.Low.ToArray<long>());
        Assert.Equal([3L, 2, 3, 2], batched.High.ToArray<long>());
    }

    [Fact]
    public void BatchSpace_OfMultiBinary_IsAnInt8BoxOfZeroAndOne()
    {
        Assert.Equal(new Box(0, 1, [4, 2, 3], DType.Int8), Batching.BatchSpace(new MultiBinary(2, 3), 4));
    }

    [Fact]
    public void BatchSpace_OfDictAndTuple_BatchesEveryMember()
    {
        var single = new DictSpace(
        [
            KeyValuePair.Create<string, Space>("a", new Discrete(2)),
            KeyValuePair.Create<string, Space>("b", new TupleSpace([Float32Box])),
        ]);

        var batched = Batching.BatchSpace(single, 2);

        var expected = new DictSpace(
        [
            KeyValuePair.Create<string, Space>("a", new MultiDiscrete(2, 2)),
            KeyValuePair.Create<string, Space>("b", new TupleSpace([new Box(-1, 2, [2, 3], DType.Float32)])),
        ]);
        Assert.Equal(expected, batched);
    }

    [Fact]
    public void BatchSpace_OfZeroEnvs_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Batching.BatchSpace(Float32Box, 0));
    }

    [Fact]
    public void Concatenate_PutsValueIAtIndexI()
    {
        var box = new Box(-10, 10, [2], DType.Float32);

        var batched = Assert.IsType<NDArray>(Batching.Concatenate(box, [NDArray.From([1f, 2f]), NDArray.From([3f, 4f]), NDArray.From([5f, 6f])]));

        Assert.Equal([3, 2], batched.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], batched.ToArray<float>());
    }

    [Fact]
    public void Concatenate_OfDiscreteValues_IsAnInt64Array()
    {
        var batched = Assert.IsType<NDArray>(Batching.Concatenate(new Discrete(3), [2L, 0L, 1L]));

        Assert.Equal(DType.Int64, batched.DType);
        Assert.Equal([2L, 0, 1], batched.ToArray<long>());
    }

    [Fact]
    public void Concatenate_OfAValueOfTheWrongDtype_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Batching.Concatenate(Float32Box, [NDArray.From([1.0, 2.0, 3.0])]));

        Assert.Contains("float32 with shape (3,)", error.Message);
        Assert.Contains("float64", error.Message);
    }

    [Fact]
    public void Iterate_OfDiscreteBatch_GivesLongs()
    {
        var values = Batching.Iterate(new Discrete(4), NDArray.From([3L, 1L]), 2);

        Assert.Equal([3L, 1L], values);
    }

    [Fact]
    public void Iterate_OfABatchOfTheWrongSize_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Batching.Iterate(new Discrete(2), NDArray.From([1L, 0L, 1L]), 2));

        Assert.Contains("int64 with shape (2,)", error.Message);
    }

    [Fact]
    public void Iterate_OfATupleWithTheWrongMemberCount_Throws()
    {
        var space = new TupleSpace([new Discrete(2), new Discrete(3)]);

        Assert.Throws<ArgumentException>(() => Batching.Iterate(space, new object[] { NDArray.From([1L]) }, 1));
    }

    [Fact]
    public void Iterate_ReturnsCopies()
    {
        var batched = NDArray.From([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]);

        var first = (NDArray)Batching.Iterate(Float32Box, batched, 2)[0];
        first.AsSpan<float>()[0] = 99f;

        Assert.Equal(1f, batched.ToArray<float>()[0]);
    }
}
