using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;

namespace ZeroGym.Tests.Server;

/// <summary>A real env server on a free loopback port, served by a background thread for one test.</summary>
internal sealed class TestServer : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private readonly TextWriter logWriter;

    /// <param name="log">Where the server's log goes (kept in memory; by default all of it).</param>
    public TestServer(ServerOptions? options = null, EnvRegistry? registry = null, string endpoint = "tcp://127.0.0.1:*", StringWriter? log = null)
    {
        Log = log ?? new StringWriter();
        logWriter = TextWriter.Synchronized(Log);
        Server = new EnvServer.EnvServer((options ?? new ServerOptions()) with { Endpoints = [endpoint] }, registry ?? BuiltInEnvs.CreateRegistry(), new ServerLog(logWriter));
        Address = Server.Endpoints[0];
        thread = new Thread(() => Server.Run(stop.Token)) { IsBackground = true, Name = "test env server" };
        thread.Start();
    }

    public string Address { get; }

    public EnvServer.EnvServer Server { get; }

    public StringWriter Log { get; }

    /// <summary>The log so far, read safely while the server is still writing to it.</summary>
    public string LogText()
    {
        // The synchronized writer locks on itself for every write.
        lock (logWriter) return Log.ToString();
    }

    /// <summary>Stops the loop and closes every env, as SIGTERM does.</summary>
    public void Dispose()
    {
        stop.Cancel();
        thread.Join();
        Server.Dispose();
    }
}
