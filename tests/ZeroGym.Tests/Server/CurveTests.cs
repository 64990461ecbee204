using ZeroGym.EnvServer;
using ZeroGym.Tests.Agents;
using ZeroGym.Transport.Interop.ZeroMQ;
using ZeroGym.Transport.Security;

namespace ZeroGym.Tests.Server;

/// <summary>CURVE servers (SPEC.md §6): only authorized keys get in, everyone else gets nothing and is logged.</summary>
public sealed class CurveTests
{
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(1);

    private readonly CurveKeyPair serverKeys = CurveKeyPair.Generate();
    private readonly CurveKeyPair aliceKeys = CurveKeyPair.Generate();

    private TestServer StartServer() => new(new ServerOptions
    {
        Curve = new CurveSecurity(serverKeys, new Dictionary<string, string> { [aliceKeys.PublicKey] = "alice" }),
    });

    private ClientOptions ClientOf(CurveKeyPair keys, string? serverKey = null, TimeSpan? timeout = null) => new()
    {
        CurveServerKey = serverKey ?? serverKeys.PublicKey,
        CurveClientKey = keys.SecretKey,
        Timeout = timeout ?? TimeSpan.FromSeconds(10),
    };

    [Fact]
    public void AnAuthorizedKey_StepsAnEnv_AndIsLoggedByItsLabel()
    {
        using var server = StartServer();
        using var env = RemoteEnv.Make("CartPole-v1", server.Address, options: ClientOf(aliceKeys));
        env.Reset(seed: 1);
        Assert.Equal(1.0, env.Step(0L).Reward);
        Assert.Contains("event=client_authenticated key=alice address=127.0.0.1", server.Log.ToString());
    }

    [Fact]
    public void AnUnknownKey_GetsNoReply_AndIsLoggedWithItsPublicKey()
    {
        using var server = StartServer();
        var mallory = CurveKeyPair.Generate();
        var error = Assert.Throws<ServerTimeoutException>(() => new ZeroGymClient(server.Address, ClientOf(mallory, timeout: Refused)));
        Assert.Contains("authorized-keys", error.Message);
        string line = WaitForLog(server, "reason=unknown_key");
        Assert.Contains(mallory.PublicKey, line); // quoted when the key holds '=', which Z85 allows
    }

    [Fact]
    public void APlainTextClient_GetsNoReply_AndIsLogged()
    {
        using var server = StartServer();
        var error = Assert.Throws<ServerTimeoutException>(() => new ZeroGymClient(server.Address, new ClientOptions { Timeout = Refused }));
        Assert.Contains("--curve-secret-key", error.Message);
        // Both ends see the mechanism mismatch; when the client hangs up first the server sees only an aborted handshake.
        Assert.Matches("reason=(not_curve|handshake_aborted)", WaitForLog(server, "event=client_refused"));
    }

    [Fact]
    public void AClientWithTheWrongServerKey_GetsNoReply_AndIsLogged()
    {
        using var server = StartServer();
        string impostorServerKey = CurveKeyPair.Generate().PublicKey;
        Assert.Throws<ServerTimeoutException>(() => new ZeroGymClient(server.Address, ClientOf(aliceKeys, impostorServerKey, Refused)));
        Assert.Contains("reason=cannot_decrypt", WaitForLog(server, "cannot_decrypt"));
    }

    [Fact]
    public void RefusedClients_DoNotDisturbAnAuthorizedOne()
    {
        using var server = StartServer();
        using var env = RemoteEnv.Make("CartPole-v1", server.Address, options: ClientOf(aliceKeys));
        env.Reset(seed: 1);
        Assert.Throws<ServerTimeoutException>(() => new ZeroGymClient(server.Address, ClientOf(CurveKeyPair.Generate(), timeout: Refused)));
        Assert.Throws<ServerTimeoutException>(() => new ZeroGymClient(server.Address, new ClientOptions { Timeout = Refused }));
        Assert.Equal(1.0, env.Step(1L).Reward);
    }

    [Fact]
    public void RepeatedRefusals_AreLoggedOncePerInterval()
    {
        using var server = StartServer();
        // A plain-text client reconnects every 100 ms; its 2 s of attempts must not become 20 log lines.
        Assert.Throws<ServerTimeoutException>(() => new ZeroGymClient(server.Address, new ClientOptions { Timeout = TimeSpan.FromSeconds(2) }));
        int lines = server.Log.ToString().Split('\n').Count(line => line.Contains("event=client_refused"));
        Assert.InRange(lines, 1, 3);
    }

    [Fact]
    public void KeyFiles_FromKeygen_AreWhatClientsAndServersRead()
    {
        using var directory = new TemporaryDirectory();
        var (keyPath, publicPath) = CurveKeys.WriteNewKeyPair(directory.Combine("server"));
        var pair = CurveKeys.ReadKeyPair(keyPath);

        Assert.Equal(pair.PublicKey, CurveKeys.ReadPublicKey(publicPath));
        Assert.Equal(pair.PublicKey, CurveKeys.ReadPublicKey(keyPath));
        Assert.Equal(pair.PublicKey, ZmqCurve.PublicKeyFromSecret(pair.SecretKey));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        Assert.Equal(pair, CurveKeys.ReadKeyPair(pair.SecretKey)); // a secret key given inline
        Assert.Equal(pair.PublicKey, CurveKeys.ReadPublicKey(pair.PublicKey));
        Assert.DoesNotContain(pair.SecretKey, pair.ToString());

        var again = Assert.Throws<IOException>(() => CurveKeys.WriteNewKeyPair(directory.Combine("server")));
        Assert.Contains("exists already", again.Message);
        Assert.Equal(pair, CurveKeys.ReadKeyPair(keyPath)); // untouched
    }

    [Fact]
    public void ReadingKeys_ExplainsWhatWasExpected()
    {
        using var directory = new TemporaryDirectory();
        var (_, publicPath) = CurveKeys.WriteNewKeyPair(directory.Combine("client"));

        var pubForPair = Assert.Throws<FormatException>(() => CurveKeys.ReadKeyPair(publicPath, "--curve-secret-key"));
        Assert.Contains("not NAME.pub", pubForPair.Message);
        var missing = Assert.Throws<FormatException>(() => CurveKeys.ReadPublicKey(directory.Combine("nope.pub"), "CurveServerKey"));
        Assert.Contains("neither a key", missing.Message);
        File.WriteAllText(directory.Combine("bad.pub"), "not-a-key\n");
        var bad = Assert.Throws<FormatException>(() => CurveKeys.ReadPublicKey(directory.Combine("bad.pub")));
        Assert.Contains("40-character Z85 key", bad.Message);

        var pair = CurveKeyPair.Generate();
        File.WriteAllText(directory.Combine("mismatch.key"), $"public-key = {CurveKeyPair.Generate().PublicKey}\nsecret-key = {pair.SecretKey}\n");
        var mismatch = Assert.Throws<FormatException>(() => CurveKeys.ReadKeyPair(directory.Combine("mismatch.key")));
        Assert.Contains("does not belong", mismatch.Message);
        Assert.DoesNotContain(pair.SecretKey, mismatch.Message);
    }

    [Fact]
    public void AuthorizedKeys_TakeLabelsAndComments_AndNameABadLine()
    {
        using var directory = new TemporaryDirectory();
        var (alice, bob) = (CurveKeyPair.Generate().PublicKey, CurveKeyPair.Generate().PublicKey);
        string path = directory.Combine("authorized");
        File.WriteAllText(path, $"# lab machines\n\n{alice} alice's laptop\n   {bob}\n");

        var keys = CurveKeys.ReadAuthorizedKeys(path);
        Assert.Equal("alice's laptop", keys[alice]);
        Assert.Equal(bob[..8], keys[bob]);

        File.AppendAllText(path, "ssh-ed25519 AAAA\n");
        var error = Assert.Throws<FormatException>(() => CurveKeys.ReadAuthorizedKeys(path));
        Assert.Contains("line 5", error.Message);
        Assert.Contains("expected a public key of 40 Z85 characters", error.Message);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:5555", true)]
    [InlineData("tcp://127.0.0.53:*", true)]
    [InlineData("tcp://localhost:5555", true)]
    [InlineData("tcp://[::1]:5555", true)]
    [InlineData("ipc:///tmp/zerogym.sock", true)]
    [InlineData("inproc://zerogym", true)]
    [InlineData("tcp://0.0.0.0:5555", false)]
    [InlineData("tcp://*:5555", false)]
    [InlineData("tcp://192.168.1.10:5555", false)]
    [InlineData("tcp://127.example.com:5555", false)]
    [InlineData("tcp://eth0:5555", false)]
    public void EndpointPolicy_KnowsWhatOtherMachinesCanReach(string endpoint, bool local) =>
        Assert.Equal(local, EndpointPolicy.IsLocal(endpoint));

    [Fact]
    public void APlainTextServer_RefusesAReachableEndpoint_UnlessInsecureOrEncrypted()
    {
        var exposed = new ServerOptions { Endpoints = ["tcp://0.0.0.0:*"] };
        var refused = Assert.Throws<ArgumentException>(() => EndpointPolicy.CheckPlainTextAllowed(exposed));
        Assert.Contains("tcp://0.0.0.0:*", refused.Message);
        Assert.Contains("--insecure", refused.Message);
        Assert.Contains("--curve-secret-key", refused.Message);

        EndpointPolicy.CheckPlainTextAllowed(exposed with { AllowInsecureRemote = true });
        EndpointPolicy.CheckPlainTextAllowed(exposed with { Curve = new CurveSecurity(serverKeys, new Dictionary<string, string>()) });
        Assert.Throws<ArgumentException>(() => new EnvServer.EnvServer(exposed, BuiltInEnvs.CreateRegistry(), new ServerLog(TextWriter.Null)));
    }

    private static string WaitForLog(TestServer server, string fragment)
    {
        // Refusals are logged by the server's thread, possibly just after the client gave up.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            string? line = server.Log.ToString().Split('\n').FirstOrDefault(l => l.Contains(fragment));
            if (line is not null) return line;
            Thread.Sleep(20);
        }

        return server.Log.ToString();
    }
}
