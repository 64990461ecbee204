namespace ZeroGym.Envs.Interop.Libretro;

/// <summary>A libretro core refused or failed an operation: loading, a game, a save state.</summary>
public sealed class LibretroException(string message, Exception? inner = null) : Exception(message, inner);
