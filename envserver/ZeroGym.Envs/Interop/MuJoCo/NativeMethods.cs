using System.Runtime.InteropServices;
using ZeroGym.Interop;

namespace ZeroGym.Envs.Interop.MuJoCo;

/// <summary>
/// Every function of libzerogym_mujoco (Native/zerogym_mujoco.h beside this file, same order). Functions that can fail
/// return <see cref="Status"/>, whose marshaller throws the shim's message as a <see cref="ZeroGym.Envs.MuJoCo.MuJoCoException"/>;
/// what they make comes back through their last parameter. Callers check the versions first
/// (<see cref="MuJoCoLibrary.EnsureCompatible"/>).
/// </summary>
internal static unsafe partial class NativeMethods
{
    public const string Library = "libzerogym_mujoco";

    static NativeMethods() => NativeShimLoader.Register(
        typeof(NativeMethods).Assembly, Library, "envserver/ZeroGym.Envs/Interop/MuJoCo/Native/build.sh, which needs Debian's libmujoco-dev");

    [LibraryImport(Library, EntryPoint = "zgmj_last_error")]
    public static partial IntPtr LastError();

    [LibraryImport(Library, EntryPoint = "zgmj_library_version")]
    public static partial int LibraryVersion();

    [LibraryImport(Library, EntryPoint = "zgmj_header_version")]
    public static partial int HeaderVersion();

    [LibraryImport(Library, EntryPoint = "zgmj_load_model", StringMarshalling = StringMarshalling.Utf8)]
    public static partial Status LoadModel(string path, out ModelHandle model);

    [LibraryImport(Library, EntryPoint = "zgmj_free_model")]
    public static partial void FreeModel(IntPtr model);

    [LibraryImport(Library, EntryPoint = "zgmj_make_data")]
    public static partial Status MakeData(ModelHandle model, out DataHandle data);

    [LibraryImport(Library, EntryPoint = "zgmj_free_data")]
    public static partial void FreeData(IntPtr data);

    [LibraryImport(Library, EntryPoint = "zgmj_sizes")]
    public static partial void Sizes(ModelHandle model, out int nq, out int nv, out int nu);

    [LibraryImport(Library, EntryPoint = "zgmj_timestep")]
    public static partial double Timestep(ModelHandle model);

    [LibraryImport(Library, EntryPoint = "zgmj_ctrl_range")]
    public static partial void CtrlRange(ModelHandle model, double* ranges);

    [LibraryImport(Library, EntryPoint = "zgmj_initial_qpos")]
    public static partial void InitialQpos(ModelHandle model, double* qpos);

    [LibraryImport(Library, EntryPoint = "zgmj_reset")]
    public static partial void Reset(ModelHandle model, DataHandle data);

    [LibraryImport(Library, EntryPoint = "zgmj_set_state")]
    public static partial Status SetState(ModelHandle model, DataHandle data, double* qpos, double* qvel);

    [LibraryImport(Library, EntryPoint = "zgmj_get_state")]
    public static partial void GetState(ModelHandle model, DataHandle data, double* qpos, double* qvel);

    [LibraryImport(Library, EntryPoint = "zgmj_step")]
    public static partial Status Step(ModelHandle model, DataHandle data, double* ctrl, int steps);

    [LibraryImport(Library, EntryPoint = "zgmj_renderer_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial Status CreateRenderer(ModelHandle model, int width, int height, string? camera, out RendererHandle renderer);

    [LibraryImport(Library, EntryPoint = "zgmj_renderer_free")]
    public static partial void FreeRenderer(IntPtr renderer);

    [LibraryImport(Library, EntryPoint = "zgmj_render")]
    public static partial Status Render(RendererHandle renderer, ModelHandle model, DataHandle data, byte* rgb);

    [LibraryImport(Library, EntryPoint = "zgmj_bench_raw")]
    public static partial Status BenchRaw(
        ModelHandle model, DataHandle data, double* actions, int actionCount, long envSteps, int frameSkip, int episodeSteps, out double seconds);
}
