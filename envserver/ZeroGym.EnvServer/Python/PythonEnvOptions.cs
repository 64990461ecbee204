namespace ZeroGym.EnvServer.Python;

/// <summary>How the server runs the worker processes of Python envs (<c>scripts/serve --python-env</c>).</summary>
public sealed record PythonEnvOptions
{
    /// <summary>The option that serves a Python env (repeatable).</summary>
    public const string EnvOption = "--python-env";

    /// <summary>The interpreter that runs the workers; it sees the server's <c>PYTHONPATH</c>, after the shipped zerogym package.</summary>
    public string Interpreter { get; init; } = "/usr/bin/python3";

    /// <summary>Worker processes a vector env's sub-envs are spread over (at most one per sub-env); a single env has one.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Worker processes of each Python env kept started ahead, idle, so that a make takes one instead of waiting for
    /// Python to start and import the env (0: each worker is started when a make needs it). A worker serves one
    /// handle and ends with it, so the pool is refilled in the background after each make.
    /// </summary>
    public int WarmWorkers { get; init; } = 2;

    /// <summary>The most <see cref="WarmWorkers"/> may be: each idle worker holds an interpreter's memory.</summary>
    public const int MaxWarmWorkers = 64;

    /// <summary>How long one call of an env (make, reset, step, render, close) may take; a worker silent for longer is ended with its envs.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The folder holding the <c>zerogym</c> package the workers run (<c>python -m zerogym.worker</c>): the copy shipped next to the server.</summary>
    public string PackageDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "python");

    /// <summary>Whether workers serve the same-host stream (SPEC.md §1.1) the server's hop to them moves to; the server's <c>--no-local-stream</c> turns it off.</summary>
    public bool LocalStream { get; init; } = true;

    /// <summary>Folders put on the workers' <c>PYTHONPATH</c> after the package and before the inherited one (where a host's env modules are found).</summary>
    public IReadOnlyList<string> SearchPath { get; init; } = [];
}
