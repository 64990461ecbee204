namespace ZeroGym.Envs.Vector;

/// <summary>What a vector env does with a sub-env whose episode ended: Gymnasium 1.x's <c>AutoresetMode</c>.</summary>
public enum AutoresetMode
{
    /// <summary>
    /// The step after the end resets the sub-env instead of stepping it: that result is the reset observation and
    /// info, reward 0, both flags false (<c>"next_step"</c>, the default).
    /// </summary>
    NextStep,

    /// <summary>
    /// The step that ends the episode also resets the sub-env: it returns the reset observation with the step's reward
    /// and flags, and the final observation and info under <c>final_obs</c> and <c>final_info</c> (<c>"same_step"</c>).
    /// </summary>
    SameStep,

    /// <summary>No reset happens by itself: the caller resets ended sub-envs (reset with a mask) before stepping them (<c>"disabled"</c>).</summary>
    Disabled,
}

/// <summary>The wire names of <see cref="AutoresetMode"/> (SPEC.md §2.3), as Gymnasium writes them.</summary>
public static class AutoresetModes
{
    private static readonly Dictionary<string, AutoresetMode> ByName = new(StringComparer.Ordinal)
    {
        ["next_step"] = AutoresetMode.NextStep,
        ["same_step"] = AutoresetMode.SameStep,
        ["disabled"] = AutoresetMode.Disabled,
    };

    /// <summary>The mode of a wire name; <see cref="ArgumentException"/> naming the known ones otherwise.</summary>
    public static AutoresetMode Parse(string name) => ByName.TryGetValue(name, out var mode)
        ? mode
        : throw new ArgumentException($"autoreset_mode must be one of {string.Join(", ", ByName.Keys.Select(key => $"'{key}'"))}; got '{name}'");

    /// <summary>The wire name of <paramref name="mode"/>.</summary>
    public static string Name(this AutoresetMode mode) => ByName.Single(pair => pair.Value == mode).Key;
}
