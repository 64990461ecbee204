using System.CommandLine;
using System.Runtime.InteropServices;
using ZeroGym.Envs.Nes;
using ZeroGym.EnvServer;
using ZeroGym.EnvServer.Python;
using ZeroGym.Transport.Interop.ZeroMQ;
using ZeroGym.Transport.Security;

// scripts/serve: the env server in the foreground until SIGINT/SIGTERM.
var bind = new Option<string[]>("--bind")
{
    Description = "Endpoint to listen on; repeat for several. tcp://HOST:PORT (PORT * picks a free one) or ipc://PATH",
    DefaultValueFactory = _ => [ServerOptions.DefaultEndpoint],
};
var idleTimeout = new Option<double>("--idle-timeout")
{
    Description = "Seconds without requests after which a client's envs are closed",
    DefaultValueFactory = _ => new ServerOptions().IdleTimeout.TotalSeconds,
};
var maxEnvsPerClient = new Option<int>("--max-envs-per-client")
{
    Description = "Env handles one client may hold at once (a vector env counts once)",
    DefaultValueFactory = _ => new ServerOptions().MaxEnvsPerClient,
};
var maxMessageBytes = new Option<int>("--max-message-bytes")
{
    Description = "Largest request accepted; larger ones are answered with too_large",
    DefaultValueFactory = _ => new ServerOptions().MaxMessageBytes,
};
var spinMicroseconds = new Option<int>("--spin-us")
{
    Description = "After each reply, poll this many microseconds for the next request before sleeping (a CPU stays busy meanwhile)",
    DefaultValueFactory = _ => (int)new ServerOptions().SpinAfterReply.TotalMicroseconds,
};
const string noLocalStreamOption = "--no-local-stream";
var noLocalStream = new Option<bool>(noLocalStreamOption)
{
    Description = "Do not offer same-host clients the Unix stream socket that saves ZeroMQ's thread hand-offs (SPEC.md §1.1)",
};
var romDir = new Option<string?>(BuiltInEnvs.RomDirectoryOption)
{
    Description = "Directory of the user's NES ROMs (NES-v0 file names, Super Mario Bros found by SHA-1); default $ZEROGYM_ROM_DIR",
};

var envAssembly = new Option<string[]>(EnvAssemblies.Option)
{
    Description = "Also serve the envs this assembly declares (classes implementing ZeroGym.Envs.Registration.IEnvFamily); repeatable",
};

var pythonEnv = new Option<string[]>(PythonEnvOptions.EnvOption)
{
    Description = "Also serve a Python env: ENV_ID=MODULE:ATTR serves MODULE.ATTR(**kwargs) (a class or a factory returning a Gymnasium-style env), " +
        "ENV_ID alone serves gymnasium.make(ENV_ID, **kwargs); run by worker processes; repeatable",
};
var python = new Option<string>("--python")
{
    Description = "The Python interpreter of --python-env's workers (they see this server's PYTHONPATH)",
    DefaultValueFactory = _ => new PythonEnvOptions().Interpreter,
};
var pythonWorkers = new Option<int>("--python-workers")
{
    Description = "Worker processes a vector env of a Python env steps its sub-envs in, in parallel (default: the number of cores)",
    DefaultValueFactory = _ => new PythonEnvOptions().Workers,
};
var pythonWarmWorkers = new Option<int>("--python-warm-workers")
{
    Description = "Worker processes of each --python-env kept started ahead, so that a make takes one instead of starting Python (0: start each when needed)",
    DefaultValueFactory = _ => new PythonEnvOptions().WarmWorkers,
};
var pythonStepTimeout = new Option<double>("--python-step-timeout")
{
    Description = "Seconds one call of a Python env (make, reset, step, render) may take; a worker silent for longer is ended with its envs (env_failure)",
    DefaultValueFactory = _ => new PythonEnvOptions().StepTimeout.TotalSeconds,
};

var maxOutstandingRequests = new Option<int>("--max-outstanding-requests")
{
    Description = "Requests one client may have queued, and replies it may leave unread, before it must wait",
    DefaultValueFactory = _ => new ServerOptions().MaxOutstandingRequests,
};
var curveSecretKey = new Option<string?>("--curve-secret-key")
{
    Description = "Encrypt with CURVE using this key pair (a NAME.key file from scripts/keygen); needs --authorized-keys",
};
var authorizedKeys = new Option<string?>("--authorized-keys")
{
    Description = "File of client public keys (one Z85 key per line) allowed to connect when --curve-secret-key is given",
};
var insecure = new Option<bool>("--insecure")
{
    Description = "Serve plain text on endpoints other machines can reach (without it only loopback and ipc:// may be plain)",
};

var inProcessEnvs = new Option<bool>("--in-process-envs")
{
    Description = "Run every env inside this process, also the NES envs that otherwise get a worker process each (a crash of their emulator then ends the server)",
};
var injectDelay = new Option<int>("--inject-delay-us")
{
    Description = "For tests: each step and reset of a vector env's sub-envs first waits a random time up to this many microseconds",
    Hidden = true,
};
var cluster = new Option<string?>("--cluster")
{
    Description = "Join the cluster whose membership this Redis keeps (redis://HOST:PORT): the server becomes one of its nodes",
};
var nodeName = new Option<string?>("--node-name") { Description = "This node's name in the cluster (default: host name and port)" };
var advertise = new Option<string?>("--advertise")
{
    Description = "Host other machines reach this node at (default: the bound host; needed when binding every interface)",
};
var siloPort = new Option<int>("--silo-port") { Description = "Port of Orleans' silo-to-silo traffic (default: a free port)" };
var gatewayPort = new Option<int>("--gateway-port") { Description = "Port of Orleans' gateway for Orleans clients (default: a free port)" };
var dashboardPort = new Option<int?>("--dashboard-port")
{
    Description = "Serve the cluster's dashboard over HTTP on this port (0: a free one): the ZeroGym page at /zerogym, Orleans' dashboard at /orleans",
};
var envAssembliesChecked = new Option<bool>(EnvAssemblies.CheckedByParentOption)
{
    Description = "Register the envs of --env-assembly without making each once (worker processes: their server did)",
    Hidden = true,
};
var parentPid = new Option<int?>("--parent-pid") { Description = "Exit when this process ends (worker processes, the local server of train and play)", Hidden = true };

var root = new RootCommand("ZeroGym env server: Gymnasium envs over ZeroMQ + MessagePack (protocol/SPEC.md)")
{
    bind, idleTimeout, maxEnvsPerClient, maxMessageBytes, maxOutstandingRequests, curveSecretKey, authorizedKeys, insecure, spinMicroseconds, noLocalStream, romDir, envAssembly,
    pythonEnv, python, pythonWorkers, pythonWarmWorkers, pythonStepTimeout, inProcessEnvs, injectDelay, cluster, nodeName, advertise, siloPort, gatewayPort, dashboardPort, envAssembliesChecked, parentPid,
};
root.SetAction(parsed =>
{
    var options = new ServerOptions
    {
        Endpoints = parsed.GetValue(bind)!,
        IdleTimeout = TimeSpan.FromSeconds(parsed.GetValue(idleTimeout)),
        MaxEnvsPerClient = parsed.GetValue(maxEnvsPerClient),
        MaxMessageBytes = parsed.GetValue(maxMessageBytes),
        MaxOutstandingRequests = parsed.GetValue(maxOutstandingRequests),
        AllowInsecureRemote = parsed.GetValue(insecure),
        InProcessEnvs = parsed.GetValue(inProcessEnvs),
        SpinAfterReply = TimeSpan.FromMicroseconds(parsed.GetValue(spinMicroseconds)),
        LocalStream = !parsed.GetValue(noLocalStream),
        InjectedDelay = TimeSpan.FromMicroseconds(Math.Clamp(parsed.GetValue(injectDelay), 0, 1_000_000)),
    };
    if (options.IdleTimeout <= TimeSpan.Zero || options.MaxEnvsPerClient < 1 || options.MaxMessageBytes < 1024 || options.MaxOutstandingRequests < 1
        || options.SpinAfterReply < TimeSpan.Zero || options.SpinAfterReply > TimeSpan.FromSeconds(1))
    {
        Console.Error.WriteLine("zerogym-server: --idle-timeout must be > 0, --max-envs-per-client >= 1, --max-message-bytes >= 1024, " +
            "--max-outstanding-requests >= 1 and --spin-us between 0 and 1000000");
        return 2;
    }

    string? clusterUrl = parsed.GetValue(cluster);
    if (clusterUrl is null && (parsed.GetValue(nodeName) ?? parsed.GetValue(advertise)) is not null)
    {
        Console.Error.WriteLine("zerogym-server: --node-name and --advertise name a node of a cluster; give --cluster redis://HOST:PORT too");
        return 2;
    }

    int? dashboard = parsed.GetValue(dashboardPort);
    if (dashboard is not null && (clusterUrl is null || dashboard is < 0 or > 65535))
    {
        Console.Error.WriteLine(clusterUrl is null
            ? "zerogym-server: --dashboard-port serves the dashboard of a cluster; give --cluster redis://HOST:PORT too (a single server has no dashboard)"
            : $"zerogym-server: --dashboard-port must be a TCP port from 0 (a free one) to 65535; got {dashboard}");
        return 2;
    }

    var log = new ServerLog(Console.Error);
    EnvServer server;
    PythonEnvs? pythonEnvs = null;
    IAsyncDisposable? clusterNode = null;
    try
    {
        // The composition root: the env families get their configuration here, and worker processes the same.
        var nes = new NesConfiguration(parsed.GetValue(romDir));
        string[] assemblies = [.. (parsed.GetValue(envAssembly) ?? []).Select(Path.GetFullPath)];
        options = options with
        {
            Curve = ReadCurveSecurity(parsed.GetValue(curveSecretKey), parsed.GetValue(authorizedKeys)),
            // A worker without its local stream keeps the server's hop to it on ZeroMQ too, as --no-local-stream asks.
            WorkerArguments = [.. BuiltInEnvs.WorkerArguments(nes), .. assemblies.SelectMany(path => (string[])[EnvAssemblies.Option, path]),
                .. options.LocalStream ? Array.Empty<string>() : [noLocalStreamOption]],
        };
        var registry = BuiltInEnvs.CreateRegistry(nes);
        foreach (string path in assemblies)
        {
            log.Info("env_assembly", ("path", path), ("envs", string.Join(",", EnvAssemblies.Register(registry, path, options, check: !parsed.GetValue(envAssembliesChecked)))));
        }

        var pythonOptions = new PythonEnvOptions
        {
            Interpreter = parsed.GetValue(python)!,
            Workers = parsed.GetValue(pythonWorkers),
            WarmWorkers = parsed.GetValue(pythonWarmWorkers),
            StepTimeout = TimeSpan.FromSeconds(parsed.GetValue(pythonStepTimeout)),
            LocalStream = options.LocalStream,
        };
        if (pythonOptions.Workers < 1 || pythonOptions.WarmWorkers is < 0 or > PythonEnvOptions.MaxWarmWorkers || pythonOptions.StepTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--python-workers must be >= 1, --python-warm-workers between 0 and {PythonEnvOptions.MaxWarmWorkers} and --python-step-timeout > 0; " +
                $"got {pythonOptions.Workers}, {pythonOptions.WarmWorkers} and {pythonOptions.StepTimeout.TotalSeconds}");
        }

        pythonEnvs = new PythonEnvs(pythonOptions);
        foreach (string text in parsed.GetValue(pythonEnv) ?? [])
        {
            var definition = PythonEnvDefinition.Parse(text);
            pythonEnvs.Register(registry, definition);
            log.Info("python_env", ("env", definition.Id), ("source", definition.Source), ("interpreter", pythonOptions.Interpreter));
        }

        server = new EnvServer(options, registry, log);
        if (clusterUrl is not null)
        {
            try
            {
                var arguments = new ClusterArguments(clusterUrl, parsed.GetValue(nodeName), parsed.GetValue(advertise), parsed.GetValue(siloPort), parsed.GetValue(gatewayPort),
                    dashboard);
                clusterNode = ClusterStartup.JoinAsync(server, arguments, [.. registry.Specs.Select(spec => spec.Id)], options.MaxNumEnvs, log).GetAwaiter().GetResult();
            }
            catch (Exception error) when (error is not (FormatException or ArgumentException))
            {
                server.Dispose();
                pythonEnvs.Dispose();
                Console.Error.WriteLine($"zerogym-server: cannot join the cluster at {clusterUrl}: {error.Message}");
                return 1;
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }
        if (options.Curve is { } curve)
        {
            log.Info("curve_enabled", ("server_key", curve.ServerKeys.PublicKey), ("authorized_keys", curve.AuthorizedKeys.Count));
        }
    }
    catch (Exception error) when (error is FormatException or ArgumentException)
    {
        pythonEnvs?.Dispose();
        Console.Error.WriteLine($"zerogym-server: {error.Message}");
        return 2;
    }
    catch (ZmqException error)
    {
        pythonEnvs?.Dispose();
        Console.Error.WriteLine($"zerogym-server: cannot listen: {error.Message}");
        return 1;
    }

    using var stop = new CancellationTokenSource();
    void RequestStop(PosixSignalContext signal)
    {
        signal.Cancel = true;
        log.Info("shutdown", ("signal", signal.Signal));
        stop.Cancel();
    }

    // A worker process must not outlive the server that started it (killed, it cannot close its workers).
    using var parentWatch = parsed.GetValue(parentPid) is int parent
        ? new Timer(_ => { if (!IsRunning(parent)) { log.Info("shutdown", ("reason", "parent_exited")); stop.Cancel(); } }, null, 1000, 1000)
        : null;
    using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
    using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
    // The Python envs' warm workers end after the server, whose envs release the workers they hold.
    using (pythonEnvs)
    using (server)
    {
        foreach (string endpoint in server.Endpoints) Console.WriteLine($"zerogym-server listening on {endpoint}");
        Console.Out.Flush();
        server.Run(stop.Token);
        // Leave the cluster before the envs close: the others mark this node dead at once, not after probing it.
        clusterNode?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    return 0;
});
var keyName = new Argument<string>("NAME") { Description = "Path without extension: writes NAME.key (secret) and NAME.pub" };
var keygen = new Command("keygen", "Make a CURVE key pair for a server or a client (scripts/keygen NAME)") { keyName };
keygen.SetAction(parsed =>
{
    try
    {
        var (keyPath, publicPath) = CurveKeys.WriteNewKeyPair(parsed.GetValue(keyName)!);
        Console.WriteLine($"wrote {keyPath} (key pair: keep it secret) and {publicPath} (public key: share it)");
        return 0;
    }
    catch (Exception error) when (error is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"keygen: {error.Message}");
        return 1;
    }
});
root.Subcommands.Add(keygen);
return root.Parse(args).Invoke();

static CurveSecurity? ReadCurveSecurity(string? secretKeyPath, string? authorizedKeysPath)
{
    if (secretKeyPath is null && authorizedKeysPath is null) return null;
    if (secretKeyPath is null || authorizedKeysPath is null)
    {
        throw new ArgumentException("--curve-secret-key and --authorized-keys go together: the server's key pair encrypts, the list says who may connect");
    }

    var keys = CurveKeys.ReadKeyPair(secretKeyPath, "--curve-secret-key");
    var authorized = CurveKeys.ReadAuthorizedKeys(authorizedKeysPath);
    if (authorized.Count == 0) throw new ArgumentException($"--authorized-keys: {authorizedKeysPath} lists no keys, so no client could connect");
    return new CurveSecurity(keys, authorized);
}

static bool IsRunning(int processId)
{
    try
    {
        using var process = System.Diagnostics.Process.GetProcessById(processId);
        return !process.HasExited;
    }
    catch (ArgumentException)
    {
        return false;
    }
}
