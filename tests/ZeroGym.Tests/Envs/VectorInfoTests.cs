using ZeroGym.Arrays;
using ZeroGym.Envs.Vector;

namespace ZeroGym.Tests.Envs;

/// <summary>The vector info layout of gymnasium's VectorEnv._add_info, value kind by value kind.</summary>
public class VectorInfoTests
{
    [Fact]
    public void Add_OfArrays_StacksThemWithZerosWhereAbsent()
    {
        var info = new Dictionary<string, object?>();

        VectorInfo.Add(info, Entry("frame", NDArray.From([1f, 2f])), 0, 3);
        VectorInfo.Add(info, Entry("frame", NDArray.From([5f, 6f])), 2, 3);

        var frames = Assert.IsType<NDArray>(info["frame"]);
        Assert.Equal([3, 2], frames.Shape);
        Assert.Equal([1f, 2f, 0f, 0f, 5f, 6f], frames.ToArray<float>());
        Assert.Equal([true, false, true], Assert.IsType<NDArray>(info["_frame"]).ToArray<bool>());
    }

    [Fact]
    public void Add_OfNumbersOfAnotherType_ConvertsToTheFirstType()
    {
        var info = new Dictionary<string, object?>();

        VectorInfo.Add(info, Entry("score", 1L), 0, 2);
        VectorInfo.Add(info, Entry("score", 2.75), 1, 2);

        // As numpy assigning a float into an int64 array: truncation.
        Assert.Equal([1L, 2L], Assert.IsType<NDArray>(info["score"]).ToArray<long>());
    }

    [Fact]
    public void Add_OfFloatsAndInts_UsesTheirDtypes()
    {
        var info = new Dictionary<string, object?>();

        VectorInfo.Add(info, Entry("single", 0.5f), 0, 1);
        VectorInfo.Add(info, Entry("int", 3), 0, 1);

        Assert.Equal(DType.Float32, Assert.IsType<NDArray>(info["single"]).DType);
        Assert.Equal(DType.Int64, Assert.IsType<NDArray>(info["int"]).DType);
    }

    [Fact]
    public void Add_OfANumberAfterText_KeepsTheObjectColumn()
    {
        var info = new Dictionary<string, object?>();

        VectorInfo.Add(info, Entry("note", "hello"), 0, 2);
        VectorInfo.Add(info, Entry("note", 7L), 1, 2);

        Assert.Equal(new object?[] { "hello", 7L }, info["note"]);
    }

    [Fact]
    public void Add_OfTextAfterANumber_Throws()
    {
        var info = new Dictionary<string, object?>();
        VectorInfo.Add(info, Entry("note", 7L), 0, 2);

        var error = Assert.Throws<ArgumentException>(() => VectorInfo.Add(info, Entry("note", "hello"), 1, 2));

        Assert.Contains("info key 'note'", error.Message);
    }

    [Fact]
    public void Add_OfArraysOfDifferentShapes_Throws()
    {
        var info = new Dictionary<string, object?>();
        VectorInfo.Add(info, Entry("frame", NDArray.From([1f, 2f])), 0, 2);

        Assert.Throws<ArgumentException>(() => VectorInfo.Add(info, Entry("frame", NDArray.From([1f, 2f, 3f])), 1, 2));
    }

    [Fact]
    public void Add_OfNull_StoresNullAndMarksTheMask()
    {
        var info = new Dictionary<string, object?>();

        VectorInfo.Add(info, Entry("maybe", null), 1, 2);

        Assert.Equal(new object?[] { null, null }, info["maybe"]);
        Assert.Equal([false, true], Assert.IsType<NDArray>(info["_maybe"]).ToArray<bool>());
    }

    private static Dictionary<string, object?> Entry(string key, object? value) => new() { [key] = value };
}
