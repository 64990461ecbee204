using ZeroGym.Arrays;
using ZeroGym.Envs.MuJoCo.HalfCheetah;

namespace ZeroGym.Tests.Envs.MuJoCo;

/// <summary>HalfCheetah-v5's rgb_array frames, drawn headless through EGL with Mesa.</summary>
public class HalfCheetahRenderTests
{
    [Fact]
    public void Render_ReturnsA480By480RgbFrame_ThatIsNotBlank()
    {
        using var env = new HalfCheetahEnv(renderMode: "rgb_array");
        env.Reset(seed: 0);
        var frame = env.Render();

        Assert.Equal(DType.UInt8, frame.DType);
        Assert.Equal([480, 480, 3], frame.Shape);
        var pixels = frame.AsSpan<byte>();
        Assert.True(pixels.ToArray().Distinct().Count() > 50, "the frame has almost no distinct values");

        // The sky (top rows) is lighter than the checkered floor (bottom rows): the rows are top first.
        Assert.True(MeanOfRows(frame, 0, 40) > MeanOfRows(frame, 440, 480) + 10);
    }

    [Fact]
    public void Render_ChangesAsTheCheetahMoves()
    {
        using var env = new HalfCheetahEnv(renderMode: "rgb_array");
        env.Reset(seed: 0);
        var before = env.Render().Data;
        var push = NDArray.From(new float[] { 1, -1, 1, -1, 1, -1 });
        for (int i = 0; i < 10; i++) env.Step(push);
        var after = env.Render().Data;

        int changed = 0;
        for (int i = 0; i < before.Length; i++)
        {
            if (before[i] != after[i]) changed++;
        }

        Assert.True(changed > before.Length / 100, $"only {changed} of {before.Length} bytes changed");
    }

    [Fact]
    public void Render_IsTheSameForTheSameState()
    {
        using var env = new HalfCheetahEnv(renderMode: "rgb_array");
        env.Reset(seed: 1);
        Assert.Equal(env.Render().Data, env.Render().Data);
    }

    [Fact]
    public void Render_WithoutRenderMode_OrBeforeReset_Throws()
    {
        using var plain = new HalfCheetahEnv();
        plain.Reset(seed: 0);
        Assert.Contains("without render_mode", Assert.Throws<InvalidOperationException>(() => plain.Render()).Message);

        using var rendering = new HalfCheetahEnv(renderMode: "rgb_array");
        Assert.Throws<InvalidOperationException>(() => rendering.Render());
        Assert.Throws<ArgumentException>(() => new HalfCheetahEnv(renderMode: "human"));
    }

    private static double MeanOfRows(NDArray frame, int firstRow, int endRow)
    {
        var pixels = frame.AsSpan<byte>();
        int rowBytes = frame.Shape[1] * 3;
        long sum = 0;
        for (int i = firstRow * rowBytes; i < endRow * rowBytes; i++) sum += pixels[i];
        return (double)sum / ((endRow - firstRow) * rowBytes);
    }
}
