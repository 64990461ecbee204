using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace ZeroGym.Agents.Common;

/// <summary>
/// An env server started as a child process for one command (<c>dotnet ZeroGym.EnvServer.dll --bind
/// ipc://DIR/env.sock</c>), so training needs no server started by hand. Its log (stderr) goes to a file.
/// </summary>
/// <remarks>
/// It listens on an ipc:// socket in a private temporary folder rather than on a loopback port: measured side by side
/// on the 2-vCPU VM, a round trip over ipc was 6-8% faster than over tcp://127.0.0.1 (docs/performance.md, "Transport").
/// </remarks>
internal sealed class LocalServer : IDisposable
{
    private const string ServerAssembly = "ZeroGym.EnvServer.dll";
    private const string ListeningPrefix = "zerogym-server listening on ";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Unix socket paths are limited to 107 bytes; a longer one falls back to a loopback port.</summary>
    private const int MaxSocketPathLength = 100;

    private readonly Process process;
    private readonly StreamWriter log;
    private readonly string socketDirectory;
    private readonly Lock gate = new();
    private bool stopped;

    private LocalServer(Process process, StreamWriter log, string socketDirectory, string address)
    {
        this.process = process;
        this.log = log;
        this.socketDirectory = socketDirectory;
        Address = address;
    }

    /// <summary>The endpoint the server listens on (ipc://, or a free loopback port when the socket path would be too long).</summary>
    public string Address { get; }

    public int ProcessId => process.Id;

    /// <summary>Starts the server, appending its log to <paramref name="logPath"/>, and waits until it listens.</summary>
    public static LocalServer Start(string logPath)
    {
        string assembly = FindServerAssembly();
        string socketDirectory = System.IO.Directory.CreateTempSubdirectory("zerogym-local-").FullName;
        string socket = Path.Combine(socketDirectory, "env.sock");
        string endpoint = socket.Length <= MaxSocketPathLength ? $"ipc://{socket}" : "tcp://127.0.0.1:*";
        // --parent-pid: the server exits when this process ends, however it ends (even SIGKILL, which runs no handler).
        var start = new ProcessStartInfo(DotnetHost(), [assembly, "--bind", endpoint, "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith(ListeningPrefix, StringComparison.Ordinal) == true) listening.TrySetResult(line.Data[ListeningPrefix.Length..]);
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            lock (log) log.WriteLine(line.Data);
        };
        try
        {
            process.Start();
        }
        catch (Win32Exception error)
        {
            log.Dispose();
            DeleteSocketDirectory(socketDirectory);
            throw new AgentException($"cannot start the env server ({start.FileName} {assembly}): {error.Message}", error);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = Task.WaitAny([listening.Task, exited], StartTimeout);
        if (first != 0)
        {
            string why = first == 1 ? $"it exited with code {process.ExitCode}" : $"it did not say it was listening within {StartTimeout.TotalSeconds:0} s";
            if (first != 1) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
            lock (log) log.Dispose();
            DeleteSocketDirectory(socketDirectory);
            throw new AgentException($"the local env server did not start: {why}; its log is {logPath}");
        }

        return new LocalServer(process, log, socketDirectory, listening.Task.Result);
    }

    /// <summary>Stops the server (it holds nothing worth saving, so it is killed); safe to call from a signal handler.</summary>
    public void Stop()
    {
        lock (gate)
        {
            if (stopped) return;
            stopped = true;
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (log) log.Dispose();
            process.Dispose();
            DeleteSocketDirectory(socketDirectory);
        }
    }

    private static void DeleteSocketDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover socket file in the temporary folder is harmless.
        }
    }

    public void Dispose() => Stop();

    /// <summary>
    /// The server next to this program (the test project copies it there) or in the sibling build folder
    /// (artifacts/bin/ZeroGym.EnvServer/&lt;configuration&gt;/, as scripts/setup builds it).
    /// </summary>
    private static string FindServerAssembly()
    {
        string here = AppContext.BaseDirectory;
        string configuration = Path.GetFileName(Path.TrimEndingDirectorySeparator(here));
        string[] candidates =
        [
            Path.Combine(here, ServerAssembly),
            Path.GetFullPath(Path.Combine(here, "..", "..", "ZeroGym.EnvServer", configuration, ServerAssembly)),
        ];
        return candidates.FirstOrDefault(File.Exists) ?? throw new AgentException(
            $"the env server is not built: looked for {string.Join(" and ", candidates)}. " +
            "Run scripts/setup to build it, or pass --server ENDPOINT to use a running server");
    }

    /// <summary>The dotnet host running this program, so the server runs on the same runtime; else dotnet on PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
}
