namespace ZeroGym.Envs.MuJoCo;

/// <summary>
/// MuJoCo failed: a model that does not load, a version mismatch, rendering without a usable OpenGL, or a
/// simulation that diverged. The server answers it with <c>env_failure</c> and closes that env only.
/// </summary>
public sealed class MuJoCoException(string message) : Exception(message);
