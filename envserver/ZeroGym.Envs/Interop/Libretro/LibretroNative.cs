using System.Runtime.InteropServices;

namespace ZeroGym.Envs.Interop.Libretro;

// The structs of libretro.h this frontend exchanges with a core, laid out as the C ABI lays them out.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RetroGameInfo
{
    public byte* Path;
    public void* Data;
    public nuint Size;
    public byte* Meta;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RetroSystemInfo
{
    public byte* LibraryName;
    public byte* LibraryVersion;
    public byte* ValidExtensions;
    public byte NeedFullpath; // C bool
    public byte BlockExtract;
}

[StructLayout(LayoutKind.Sequential)]
internal struct RetroSystemAvInfo
{
    public uint BaseWidth;
    public uint BaseHeight;
    public uint MaxWidth;
    public uint MaxHeight;
    public float AspectRatio;
    public double Fps;
    public double SampleRate;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RetroVariable
{
    public byte* Key;
    public byte* Value;
}

/// <summary>The <c>retro_*</c> entry points of one loaded core, resolved once.</summary>
internal sealed unsafe class LibretroFunctions
{
    public LibretroFunctions(LibretroLibraryHandle library)
    {
        ApiVersion = (delegate* unmanaged<uint>)library.Export("retro_api_version");
        SetEnvironment = (delegate* unmanaged<nint, void>)library.Export("retro_set_environment");
        SetVideoRefresh = (delegate* unmanaged<nint, void>)library.Export("retro_set_video_refresh");
        SetAudioSample = (delegate* unmanaged<nint, void>)library.Export("retro_set_audio_sample");
        SetAudioSampleBatch = (delegate* unmanaged<nint, void>)library.Export("retro_set_audio_sample_batch");
        SetInputPoll = (delegate* unmanaged<nint, void>)library.Export("retro_set_input_poll");
        SetInputState = (delegate* unmanaged<nint, void>)library.Export("retro_set_input_state");
        Init = (delegate* unmanaged<void>)library.Export("retro_init");
        Deinit = (delegate* unmanaged<void>)library.Export("retro_deinit");
        GetSystemInfo = (delegate* unmanaged<RetroSystemInfo*, void>)library.Export("retro_get_system_info");
        GetSystemAvInfo = (delegate* unmanaged<RetroSystemAvInfo*, void>)library.Export("retro_get_system_av_info");
        SetControllerPortDevice = (delegate* unmanaged<uint, uint, void>)library.Export("retro_set_controller_port_device");
        Run = (delegate* unmanaged<void>)library.Export("retro_run");
        SerializeSize = (delegate* unmanaged<nuint>)library.Export("retro_serialize_size");
        Serialize = (delegate* unmanaged<void*, nuint, byte>)library.Export("retro_serialize");
        Unserialize = (delegate* unmanaged<void*, nuint, byte>)library.Export("retro_unserialize");
        LoadGame = (delegate* unmanaged<RetroGameInfo*, byte>)library.Export("retro_load_game");
        UnloadGame = (delegate* unmanaged<void>)library.Export("retro_unload_game");
        GetMemoryData = (delegate* unmanaged<uint, void*>)library.Export("retro_get_memory_data");
        GetMemorySize = (delegate* unmanaged<uint, nuint>)library.Export("retro_get_memory_size");
    }

    public delegate* unmanaged<uint> ApiVersion { get; }
    public delegate* unmanaged<nint, void> SetEnvironment { get; }
    public delegate* unmanaged<nint, void> SetVideoRefresh { get; }
    public delegate* unmanaged<nint, void> SetAudioSample { get; }
    public delegate* unmanaged<nint, void> SetAudioSampleBatch { get; }
    public delegate* unmanaged<nint, void> SetInputPoll { get; }
    public delegate* unmanaged<nint, void> SetInputState { get; }
    public delegate* unmanaged<void> Init { get; }
    public delegate* unmanaged<void> Deinit { get; }
    public delegate* unmanaged<RetroSystemInfo*, void> GetSystemInfo { get; }
    public delegate* unmanaged<RetroSystemAvInfo*, void> GetSystemAvInfo { get; }
    public delegate* unmanaged<uint, uint, void> SetControllerPortDevice { get; }
    public delegate* unmanaged<void> Run { get; }
    public delegate* unmanaged<nuint> SerializeSize { get; }
    public delegate* unmanaged<void*, nuint, byte> Serialize { get; }
    public delegate* unmanaged<void*, nuint, byte> Unserialize { get; }
    public delegate* unmanaged<RetroGameInfo*, byte> LoadGame { get; }
    public delegate* unmanaged<void> UnloadGame { get; }
    public delegate* unmanaged<uint, void*> GetMemoryData { get; }
    public delegate* unmanaged<uint, nuint> GetMemorySize { get; }
}
