using System.Collections.Concurrent;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;

namespace ZeroGym.Envs.Testing;

/// <summary>
/// A real env server offering one env, on a free loopback port, served by a background thread until the test process
/// ends. One per conformance class: its checks each connect a client of their own, so they share no state but the
/// server, and no check waits for a server to stop.
/// </summary>
internal sealed class ConformanceServer
{
    private static readonly ConcurrentDictionary<Type, Lazy<ConformanceServer>> Servers = new();

    private ConformanceServer(EnvSpec spec)
    {
        var registry = new EnvRegistry();
        registry.Register(spec);
        // In-process: the checks are about the env and the server's rules, not about worker processes.
        var options = new ServerOptions { Endpoints = ["tcp://127.0.0.1:*"], InProcessEnvs = true };
        var server = new EnvServer.EnvServer(options, registry, new ServerLog(TextWriter.Null));
        Address = server.Endpoints[0];
        new Thread(() => server.Run(CancellationToken.None)) { IsBackground = true, Name = $"conformance server for {spec.Id}" }.Start();
    }

    /// <summary>The endpoint the server listens on.</summary>
    public string Address { get; }

    /// <summary>The server of the conformance class <paramref name="testClass"/>, started on first use with <paramref name="spec"/>.</summary>
    public static ConformanceServer For(Type testClass, Func<EnvSpec> spec) =>
        Servers.GetOrAdd(testClass, _ => new Lazy<ConformanceServer>(() => new ConformanceServer(spec()))).Value;
}
