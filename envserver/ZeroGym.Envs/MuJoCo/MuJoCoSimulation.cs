using ZeroGym.Envs.Interop.MuJoCo;

namespace ZeroGym.Envs.MuJoCo;

/// <summary>
/// One MuJoCo model with its simulation state (mjModel + mjData) and, once something is rendered, an offscreen
/// renderer: the managed face of libzerogym_mujoco that the MuJoCo envs build on. Single-threaded like an env.
/// </summary>
/// <remarks>The calls made every step take spans and copy into or out of them, so stepping allocates nothing.</remarks>
internal sealed unsafe class MuJoCoSimulation : IDisposable
{
    private readonly ModelHandle model;
    private readonly DataHandle data;
    private readonly string modelName;
    private RendererHandle? renderer;
    private (int Width, int Height, string? Camera) rendererSettings;

    private MuJoCoSimulation(ModelHandle model, DataHandle data, string modelName)
    {
        this.model = model;
        this.data = data;
        this.modelName = modelName;
        NativeMethods.Sizes(model, out int nq, out int nv, out int nu);
        (Nq, Nv, Nu) = (nq, nv, nu);
        Timestep = NativeMethods.Timestep(model);
    }

    /// <summary>Number of position coordinates (<c>nq</c>).</summary>
    public int Nq { get; }

    /// <summary>Number of degrees of freedom, the length of qvel (<c>nv</c>).</summary>
    public int Nv { get; }

    /// <summary>Number of actuators, the length of ctrl (<c>nu</c>).</summary>
    public int Nu { get; }

    /// <summary>Seconds per <c>mj_step</c> (<c>opt.timestep</c>).</summary>
    public double Timestep { get; }

    /// <summary>The path of a model file shipped with ZeroGym.Envs (MuJoCo/Models/ next to the assembly).</summary>
    public static string ShippedModelPath(string fileName) =>
        Path.Combine(AppContext.BaseDirectory, "MuJoCo", "Models", fileName);

    /// <summary>Loads a model and makes its data; a model MuJoCo rejects throws with MuJoCo's error text.</summary>
    public static MuJoCoSimulation Load(string path)
    {
        MuJoCoLibrary.EnsureCompatible();
        NativeMethods.LoadModel(path, out var model);
        try
        {
            NativeMethods.MakeData(model, out var data);
            return new MuJoCoSimulation(model, data, Path.GetFileName(path));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary><c>qpos0</c>: the positions <see cref="Reset"/> restores (Gymnasium's <c>init_qpos</c>).</summary>
    public double[] InitialQpos()
    {
        var qpos = new double[Nq];
        fixed (double* pointer = qpos) NativeMethods.InitialQpos(model, pointer);
        return qpos;
    }

    /// <summary>Each actuator's control range: low at [i, 0], high at [i, 1].</summary>
    public double[,] CtrlRange()
    {
        var ranges = new double[Nu, 2];
        fixed (double* pointer = ranges) NativeMethods.CtrlRange(model, pointer);
        return ranges;
    }

    /// <summary><c>mj_resetData</c>: time 0, qpos0, zero velocities and controls.</summary>
    public void Reset() => NativeMethods.Reset(model, data);

    /// <summary>Writes qpos and qvel, then <c>mj_forward</c> so every derived quantity matches them.</summary>
    public void SetState(ReadOnlySpan<double> qpos, ReadOnlySpan<double> qvel)
    {
        CheckLength(qpos.Length, Nq, "qpos");
        CheckLength(qvel.Length, Nv, "qvel");
        fixed (double* qposPointer = qpos)
        fixed (double* qvelPointer = qvel)
        {
            NativeMethods.SetState(model, data, qposPointer, qvelPointer);
        }
    }

    /// <summary>Copies the current qpos (nq) and qvel (nv) into the spans.</summary>
    public void ReadState(Span<double> qpos, Span<double> qvel)
    {
        CheckLength(qpos.Length, Nq, "qpos");
        CheckLength(qvel.Length, Nv, "qvel");
        fixed (double* qposPointer = qpos)
        fixed (double* qvelPointer = qvel)
        {
            NativeMethods.GetState(model, data, qposPointer, qvelPointer);
        }
    }

    /// <summary>
    /// Writes <paramref name="ctrl"/> unclipped, runs <paramref name="steps"/> <c>mj_step</c>s, then
    /// <c>mj_rnePostConstraint</c> (Gymnasium's <c>do_simulation</c>). A diverged simulation throws
    /// <see cref="MuJoCoException"/>; the state is then unusable until the next reset.
    /// </summary>
    public void Step(ReadOnlySpan<double> ctrl, int steps)
    {
        CheckLength(ctrl.Length, Nu, "ctrl");
        fixed (double* ctrlPointer = ctrl)
        {
            NativeMethods.Step(model, data, ctrlPointer, steps);
        }
    }

    /// <summary>
    /// Draws the current state from <paramref name="camera"/> (a camera of the model; null for MuJoCo's free camera)
    /// into <paramref name="rgb"/>, height × width × 3 bytes, rows top first. The first call creates the EGL context,
    /// so a simulation that is never rendered never touches OpenGL.
    /// </summary>
    public void Render(int width, int height, string? camera, Span<byte> rgb)
    {
        CheckLength(rgb.Length, checked(width * height * 3), "rgb");
        if (renderer is null)
        {
            NativeMethods.CreateRenderer(model, width, height, camera, out var created);
            renderer = created;
            rendererSettings = (width, height, camera);
        }
        else if (rendererSettings != (width, height, camera))
        {
            throw new InvalidOperationException(
                $"{modelName}: the renderer was made for {rendererSettings.Width}x{rendererSettings.Height} from camera "
                + $"'{rendererSettings.Camera}'; got {width}x{height} from '{camera}'");
        }

        fixed (byte* pointer = rgb)
        {
            NativeMethods.Render(renderer, model, data, pointer);
        }
    }

    /// <summary>
    /// The benchmark's raw C loop on this simulation: <paramref name="envSteps"/> times write the next row of
    /// <paramref name="actions"/> (nu values per row), <paramref name="frameSkip"/> <c>mj_step</c>s and
    /// <c>mj_rnePostConstraint</c>, with <c>mj_resetData</c> every <paramref name="episodeSteps"/>. Returns seconds.
    /// </summary>
    public double TimeRawLoop(ReadOnlySpan<double> actions, long envSteps, int frameSkip, int episodeSteps)
    {
        if (actions.Length == 0 || actions.Length % Nu != 0)
        {
            throw new ArgumentException($"actions must be whole rows of {Nu} controls; got {actions.Length} values", nameof(actions));
        }

        fixed (double* pointer = actions)
        {
            NativeMethods.BenchRaw(model, data, pointer, actions.Length / Nu, envSteps, frameSkip, episodeSteps, out double seconds);
            return seconds;
        }
    }

    public void Dispose()
    {
        renderer?.Dispose();
        data.Dispose();
        model.Dispose();
    }

    private void CheckLength(int length, int expected, string what)
    {
        if (length != expected)
        {
            throw new ArgumentException($"{modelName}: {what} needs {expected} values; got {length}");
        }
    }
}
