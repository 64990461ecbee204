namespace ZeroGym.EnvServer.Python;

/// <summary>
/// One <c>--python-env</c>: <c>ENV_ID=MODULE:ATTR</c> serves <c>MODULE.ATTR(**kwargs)</c> (a class or a factory
/// returning a Gymnasium-style env), <c>ENV_ID</c> alone serves <c>gymnasium.make(ENV_ID, **kwargs)</c>.
/// </summary>
/// <param name="Id">The env id clients make.</param>
/// <param name="Target">"MODULE:ATTR", or null for Gymnasium's own registry.</param>
public sealed record PythonEnvDefinition(string Id, string? Target)
{
    /// <summary>Reads the option's value; <see cref="ArgumentException"/> saying what was expected when it is neither form.</summary>
    public static PythonEnvDefinition Parse(string text)
    {
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        string id = equals < 0 ? text : text[..equals];
        string? target = equals < 0 ? null : text[(equals + 1)..];
        int colon = target?.IndexOf(':', StringComparison.Ordinal) ?? 0;
        if (id.Length == 0 || id.Any(char.IsWhiteSpace) || (target is not null && (colon <= 0 || colon == target.Length - 1)))
        {
            throw new ArgumentException($"{PythonEnvOptions.EnvOption} takes ENV_ID=MODULE:ATTR (e.g. MyEnv-v0=my_package.envs:MyEnv) or a Gymnasium id alone (e.g. FrozenLake-v1); got '{text}'");
        }

        return new PythonEnvDefinition(id, target);
    }

    /// <summary>True when the env comes from <c>gymnasium.make</c>.</summary>
    public bool FromGymnasium => Target is null;

    /// <summary>Where the env comes from, for <c>list</c>: "python MODULE:ATTR" or "python gymnasium".</summary>
    public string Source => $"python {Target ?? "gymnasium"}";

    /// <summary>The option as it was given, which the worker takes as its <c>--env</c>.</summary>
    public override string ToString() => Target is null ? Id : $"{Id}={Target}";
}
