using System.CommandLine;
using System.Runtime.InteropServices;
using ZeroGym.Envs.Core;
using ZeroGym.EnvServer;
using ZeroGym.Protocol.Interop.ZeroMQ;

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
var romDir = new Option<string?>("--rom-dir")
{
    Description = "Directory of the user's NES ROMs (NES-v0 file names, Super Mario Bros found by SHA-1); default $ZEROGYM_ROM_DIR",
};

var root = new RootCommand("ZeroGym env server: Gymnasium envs over ZeroMQ + MessagePack (protocol/SPEC.md)")
{
    bind, idleTimeout, maxEnvsPerClient, maxMessageBytes, romDir,
};
root.SetAction(parsed =>
{
    var options = new ServerOptions
    {
        Endpoints = parsed.GetValue(bind)!,
        IdleTimeout = TimeSpan.FromSeconds(parsed.GetValue(idleTimeout)),
        MaxEnvsPerClient = parsed.GetValue(maxEnvsPerClient),
        MaxMessageBytes = parsed.GetValue(maxMessageBytes),
    };
    if (options.IdleTimeout <= TimeSpan.Zero || options.MaxEnvsPerClient < 1 || options.MaxMessageBytes < 1024)
    {
        Console.Error.WriteLine("zerogym-server: --idle-timeout must be > 0, --max-envs-per-client >= 1 and --max-message-bytes >= 1024");
        return 2;
    }

    var log = new ServerLog(Console.Error);
    EnvServer server;
    try
    {
        server = new EnvServer(options, EnvRegistry.CreateDefault(parsed.GetValue(romDir)), log);
    }
    catch (ZmqException error)
    {
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

    using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
    using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
    using (server)
    {
        foreach (string endpoint in server.Endpoints) Console.WriteLine($"zerogym-server listening on {endpoint}");
        Console.Out.Flush();
        server.Run(stop.Token);
    }

    return 0;
});
return root.Parse(args).Invoke();
