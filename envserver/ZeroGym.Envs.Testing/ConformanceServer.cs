using ZeroGym.Envs.Core;
using ZeroGym.EnvServer;

namespace ZeroGym.Envs.Testing;

/// <summary>
/// A real env server offering one env, on a free loopback port, served by a background thread, with a client
/// connected to it: what an agent sees, for the duration of one check.
/// </summary>
internal sealed class ConformanceServer : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly EnvServer.EnvServer server;
    private readonly Thread thread;

    public ConformanceServer(EnvSpec spec, TimeSpan timeout)
    {
        var registry = new EnvRegistry();
        registry.Register(spec);
        // In-process: the checks are about the env and the server's rules, not about worker processes.
        var options = new ServerOptions { Endpoints = ["tcp://127.0.0.1:*"], InProcessEnvs = true };
        server = new EnvServer.EnvServer(options, registry, new ServerLog(TextWriter.Synchronized(Log)));
        thread = new Thread(() => server.Run(stop.Token)) { IsBackground = true, Name = $"conformance server for {spec.Id}" };
        thread.Start();
        try
        {
            Client = new ZeroGymClient(server.Endpoints[0], new ClientOptions { Timeout = timeout, ClientName = "zerogym-conformance" });
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The server's log lines, for failure messages.</summary>
    public StringWriter Log { get; } = new();

    public ZeroGymClient Client { get; } = null!;

    public void Dispose()
    {
        Client?.Dispose();
        stop.Cancel();
        thread.Join();
        server.Dispose();
        stop.Dispose();
    }
}
