namespace ZeroGym.Envs.Interop.Libretro;

/// <summary>The values of libretro.h this frontend uses (API version 1).</summary>
internal static class LibretroConstants
{
    public const uint ApiVersion = 1;

    // RETRO_ENVIRONMENT_* commands the frontend answers; every other command gets false.
    public const uint EnvironmentGetCanDupe = 3;
    public const uint EnvironmentGetSystemDirectory = 9;
    public const uint EnvironmentSetPixelFormat = 10;
    public const uint EnvironmentGetVariable = 15;
    public const uint EnvironmentGetVariableUpdate = 17;
    public const uint EnvironmentGetLogInterface = 27;
    public const uint EnvironmentGetSaveDirectory = 31;
    public const uint EnvironmentGetInputBitmasks = 51 | 0x10000; // RETRO_ENVIRONMENT_EXPERIMENTAL

    /// <summary>RETRO_PIXEL_FORMAT_XRGB8888: one little-endian uint32 per pixel, B, G, R, unused.</summary>
    public const int PixelFormatXrgb8888 = 1;

    public const uint DeviceJoypad = 1;

    /// <summary>RETRO_DEVICE_ID_JOYPAD_MASK: the core asks for every button at once as a bit mask.</summary>
    public const uint JoypadMaskId = 256;

    public const uint MemorySystemRam = 2;

    /// <summary>RETRO_LOG_ERROR: messages at this level or above are kept for exception texts.</summary>
    public const int LogError = 3;
}

/// <summary>RETRO_DEVICE_ID_JOYPAD_* button ids; each is a bit position of the joypad mask.</summary>
public enum RetroJoypadButton
{
    B = 0,
    Y = 1,
    Select = 2,
    Start = 3,
    Up = 4,
    Down = 5,
    Left = 6,
    Right = 7,
    A = 8,
    X = 9,
}
