using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Envs;

/// <summary>
/// A synthetic image env for the wrapper tests: uint8 (H, W, 3) frames whose every byte is the step count (0 at
/// reset), unless a test supplies its own frames; reward k at step k; info {"step": k}; terminates at a chosen step.
/// </summary>
internal sealed class ImageEnv : Env
{
    public static readonly EnvSpec Spec = new(
        "Image-v0",
        (kwargs, renderMode) => new ImageEnv((int)kwargs.GetInt("height"), (int)kwargs.GetInt("width")) { RenderMode = renderMode },
        new Dictionary<string, object?> { ["height"] = 240L, ["width"] = 256L },
        null, null, ["rgb_array"], 30, "uint8 frames filled with the step count");

    private readonly Func<int, byte[]> frameAt;
    private int step;

    public ImageEnv(int height, int width, int terminateAt = int.MaxValue, Func<int, byte[]>? frames = null)
    {
        Height = height;
        Width = width;
        TerminateAt = terminateAt;
        ObservationSpace = new Box(0, 255, [height, width, 3], DType.UInt8);
        frameAt = frames ?? (k => Enumerable.Repeat((byte)k, height * width * 3).ToArray());
    }

    public int Height { get; }

    public int Width { get; }

    public int TerminateAt { get; }

    public bool Disposed { get; private set; }

    public override Space ObservationSpace { get; }

    public override Space ActionSpace { get; } = new Discrete(2);

    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        step = 0;
        return new(Frame(), new Dictionary<string, object?> { ["step"] = 0L });
    }

    public override StepResult Step(object action)
    {
        step++;
        return new(Frame(), step, step >= TerminateAt, false, new Dictionary<string, object?> { ["step"] = (long)step });
    }

    public override NDArray Render() => Frame();

    public override void Dispose()
    {
        Disposed = true;
        base.Dispose();
    }

    private NDArray Frame() => new(DType.UInt8, [Height, Width, 3], frameAt(step));
}
