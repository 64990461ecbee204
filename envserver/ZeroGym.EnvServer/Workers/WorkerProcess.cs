using System.Diagnostics;

namespace ZeroGym.EnvServer.Workers;

/// <summary>
/// A child env server on an ipc endpoint of its own: this same program started with <c>--in-process-envs
/// --parent-pid</c>, hosting one env whose native code could crash (an emulator core), or a Python worker
/// (<c>python -m zerogym.worker</c>) hosting Python envs. It logs to the parent's standard error and exits when the
/// parent does.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const string IdleForever = "315360000"; // ten years, in seconds
    private readonly Process process;
    private readonly string directory;

    private WorkerProcess(Process process, string directory, string address)
    {
        this.process = process;
        this.directory = directory;
        Address = address;
    }

    /// <summary>The worker's endpoint (<c>ipc://</c>).</summary>
    public string Address { get; }

    public int ProcessId => process.Id;

    public bool IsRunning => !process.HasExited;

    /// <summary>How the process ended, for error messages: "exit code 1" or "signal 11 (SIGSEGV)".</summary>
    public string ExitDescription
    {
        get
        {
            if (!process.HasExited) return "still running";
            // .NET reports a child killed by signal N as exit code 128 + N.
            int code = process.ExitCode;
            return code > 128 && code < 128 + 65 ? $"signal {code - 128}{SignalName(code - 128)}" : $"exit code {code}";
        }
    }

    /// <summary>Starts a worker of this program and waits until it listens; throws <see cref="InvalidOperationException"/> with its output when it cannot start.</summary>
    /// <param name="extraArguments">Added after the worker's own: the env families' configuration (<see cref="ServerOptions.WorkerArguments"/>).</param>
    public static WorkerProcess Start(IReadOnlyList<string> extraArguments) => Start(endpoint =>
    {
        var start = new ProcessStartInfo();
        // The server runs as `dotnet ZeroGym.EnvServer.dll` or as its apphost; tests host it inside the test runner.
        string program = typeof(WorkerProcess).Assembly.Location;
        string host = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(host) == Path.GetFileNameWithoutExtension(program))
        {
            start.FileName = host;
        }
        else
        {
            start.FileName = Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
            start.ArgumentList.Add(program);
        }

        foreach (string argument in (string[])["--bind", endpoint, "--in-process-envs", "--parent-pid", Environment.ProcessId.ToString(), "--max-envs-per-client", "1",
            // The server closes the env; a worker must never drop it for being idle while the server's client waits.
            "--idle-timeout", IdleForever, .. extraArguments])
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    });

    /// <summary>
    /// Starts the worker <paramref name="command"/> gives for an ipc endpoint (any program that serves the ZeroGym
    /// protocol there and prints <c>zerogym-server listening on ENDPOINT</c> when ready, as the server does) and waits
    /// until it listens; throws <see cref="InvalidOperationException"/> when it cannot start.
    /// </summary>
    public static WorkerProcess Start(Func<string, ProcessStartInfo> command)
    {
        string directory = Directory.CreateTempSubdirectory("zerogym-worker-").FullName;
        string endpoint = $"ipc://{Path.Combine(directory, "env.sock")}";
        var start = command(endpoint);
        (start.RedirectStandardOutput, start.RedirectStandardError, start.UseShellExecute) = (true, false, false);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start a worker process ({start.FileName})");
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException($"could not start a worker process: {start.FileName}: {error.Message}", error);
        }

        var ready = process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(StartTimeout) || ready.Result is not { } line || !line.StartsWith("zerogym-server listening on ", StringComparison.Ordinal))
        {
            if (!process.HasExited) process.Kill();
            process.WaitForExit();
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException($"the worker process for an env ({start.FileName}) did not start (its {(process.HasExited ? $"exit code was {process.ExitCode}" : "start timed out")}); see the log above");
        }

        // The worker writes nothing else on stdout, but a native library might: keep the pipe drained.
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        return new WorkerProcess(process, directory, endpoint);
    }

    /// <summary>Ends the worker at once (it hangs): its calls then fail as after a crash.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited) process.Kill();
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // It was already gone.
        }
    }

    /// <summary>Ends the worker (it has closed its env by then, or crashed) and removes its socket's directory.</summary>
    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // It was already gone.
        }

        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover socket file in /tmp is harmless.
        }
    }

    private static string SignalName(int signal) => signal switch
    {
        4 => " (SIGILL)",
        6 => " (SIGABRT)",
        7 => " (SIGBUS)",
        8 => " (SIGFPE)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => "",
    };
}
