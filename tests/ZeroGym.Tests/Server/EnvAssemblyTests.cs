using System.Diagnostics;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;
using ZeroGym.Spaces;
using ZeroGym.Tests.Agents;

namespace ZeroGym.Tests.Server;

/// <summary><c>--env-assembly</c>: envs from a user's assembly (examples/csharp-env's GridWalk.dll, tests/OwnProcessEnvs' dll) beside the built-in ones.</summary>
public sealed class EnvAssemblyTests
{
    /// <summary>The example's dll, built with the tests (a ProjectReference that references nothing).</summary>
    private static string ExampleAssembly => Path.Combine(AppContext.BaseDirectory.Replace("ZeroGym.Tests", "GridWalk", StringComparison.Ordinal), "GridWalk.dll");

    /// <summary>tests/OwnProcessEnvs' dll, built with the tests like the example's: OwnProcess-v0 needs a process of its own, and the
    /// variables OWN_PROCESS_ENV_MAKES (a file it logs its process id to) and OWN_PROCESS_ENV_CRASH=1 (it crashes) steer it.</summary>
    private static string OwnProcessAssembly => Path.Combine(AppContext.BaseDirectory.Replace("ZeroGym.Tests", "OwnProcessEnvs", StringComparison.Ordinal), "OwnProcessEnvs.dll");

    private static string ServerDll => Path.Combine(AppContext.BaseDirectory, "ZeroGym.EnvServer.dll");

    [Fact]
    public void Register_TheExampleAssembly_ServesGridWalkBesideTheBuiltInEnvs()
    {
        var registry = BuiltInEnvs.CreateRegistry();

        var ids = EnvAssemblies.Register(registry, ExampleAssembly);

        Assert.Equal(["GridWalk-v0"], ids);
        using var server = new TestServer(registry: registry);
        using var env = RemoteEnv.Make("GridWalk-v0", server.Address, new Dictionary<string, object?> { ["size"] = 3L });
        Assert.Equal(new Box(0, 2, [2], DType.Int64), env.ObservationSpace);
        env.Reset(seed: 7);
        var step = env.Step(2L);
        Assert.Equal(DType.Int64, ((NDArray)step.Observation).DType);
        using var cartPole = RemoteEnv.Make("CartPole-v1", server.Address);
        using var client = new ZeroGymClient(server.Address);
        var sources = client.ListEnvs().ToDictionary(spec => spec.Id, spec => spec.Source);
        Assert.Equal("assembly GridWalk.dll", sources["GridWalk-v0"]);
        Assert.Equal("built in", sources["CartPole-v1"]);
    }

    [Fact]
    public void Register_TheSameAssemblyTwice_IsAClashNamingTheEnv()
    {
        var registry = BuiltInEnvs.CreateRegistry();
        EnvAssemblies.Register(registry, ExampleAssembly);

        var error = Assert.Throws<ArgumentException>(() => EnvAssemblies.Register(registry, ExampleAssembly));

        Assert.Equal($"--env-assembly {ExampleAssembly}: env 'GridWalk-v0' is already registered (built in or by an earlier --env-assembly); give it another id", error.Message);
    }

    [Fact]
    public void Register_OfAMissingFile_SaysSo()
    {
        var error = Assert.Throws<ArgumentException>(() => EnvAssemblies.Register(new EnvRegistry(), "/nonexistent/MyEnvs.dll"));

        Assert.Equal("--env-assembly /nonexistent/MyEnvs.dll: no such file", error.Message);
    }

    [Fact]
    public void Register_OfAFileThatIsNoAssembly_SaysWhatWasExpected()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.Combine("Broken.dll");
        File.WriteAllText(path, "not a PE file");

        var error = Assert.Throws<ArgumentException>(() => EnvAssemblies.Register(new EnvRegistry(), path));

        Assert.Equal($"--env-assembly {path}: not a .NET assembly (expected the .dll that building the env project writes)", error.Message);
    }

    [Fact]
    public void Register_OfAnAssemblyWithoutFamilies_NamesTheInterfaceToImplement()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "ZeroGym.Core.dll");

        var error = Assert.Throws<ArgumentException>(() => EnvAssemblies.Register(new EnvRegistry(), path));

        Assert.Equal($"--env-assembly {path}: declares no envs; expected a public class implementing ZeroGym.Envs.Registration.IEnvFamily with a parameterless constructor", error.Message);
    }

    [Fact]
    public void Register_OfABuiltInId_IsRefused_AndRegistersNothingOfTheAssembly()
    {
        var registry = BuiltInEnvs.CreateRegistry();
        int before = registry.Specs.Count();

        var error = Assert.Throws<ArgumentException>(() => EnvAssemblies.Register(registry, "Mine.dll", [new Family(Spec("Fine-v0"), Spec("CartPole-v1"))], "assembly Mine.dll"));

        Assert.Equal("Mine.dll: env 'CartPole-v1' is already registered (built in or by an earlier --env-assembly); give it another id", error.Message);
        Assert.Equal(before, registry.Specs.Count());
        Assert.False(registry.TryGet("Fine-v0", out _));
    }

    [Fact]
    public void Register_OfAnIdDeclaredTwice_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => EnvAssemblies.Register(new EnvRegistry(), "Mine.dll", [new Family(Spec("Twin-v0")), new Family(Spec("Twin-v0"))], "assembly Mine.dll"));

        Assert.Equal("Mine.dll: env 'Twin-v0' is declared twice by this assembly", error.Message);
    }

    [Fact]
    public void Register_OfAnEnvWhoseSpaceHasNoWireForm_NamesTheEnvAndTheSpace()
    {
        var error = Assert.Throws<ArgumentException>(() => EnvAssemblies.Register(new EnvRegistry(), "Mine.dll", [new Family(Spec("Odd-v0", observationSpace: new EverySpace()))], "assembly Mine.dll"));

        Assert.StartsWith("Mine.dll: env 'Odd-v0': its observation_space EverySpace cannot be sent to clients: EverySpace has no wire form", error.Message);
    }

    [Fact]
    public void Register_OfAnEnvThatCannotBeMade_GivesItsError()
    {
        var spec = Spec("Throws-v0") with { Create = (_, _) => throw new InvalidOperationException("no simulator licence") };

        var error = Assert.Throws<ArgumentException>(() => EnvAssemblies.Register(new EnvRegistry(), "Mine.dll", [new Family(spec)], "assembly Mine.dll"));

        Assert.Equal("Mine.dll: env 'Throws-v0' cannot be made with its default kwargs: InvalidOperationException: no simulator licence", error.Message);
    }

    [Fact]
    public void ServerProcess_ServesTheAssemblysEnvs_AndExitsWith2OnABrokenOne()
    {
        string serverDll = Path.Combine(AppContext.BaseDirectory, "ZeroGym.EnvServer.dll");
        using (var server = Start(serverDll, "--bind", "tcp://127.0.0.1:*", "--env-assembly", ExampleAssembly))
        {
            try
            {
                string? line = server.StandardOutput.ReadLine();
                Assert.StartsWith("zerogym-server listening on ", line);
                using var env = RemoteEnv.Make("GridWalk-v0", line!["zerogym-server listening on ".Length..]);
                Assert.Equal(new Discrete(4), env.ActionSpace);
            }
            finally
            {
                server.Kill();
                server.WaitForExit();
            }
        }

        using var broken = Start(serverDll, "--bind", "tcp://127.0.0.1:*", "--env-assembly", "/nonexistent/MyEnvs.dll");
        string errors = broken.StandardError.ReadToEnd();
        Assert.True(broken.WaitForExit(60_000));
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("zerogym-server: --env-assembly /nonexistent/MyEnvs.dll: no such file", errors);
    }

    [Fact]
    public void ServerProcess_ChecksAnEnvThatNeedsItsOwnProcess_InAWorker_AndServesItInAnother()
    {
        using var directory = new TemporaryDirectory();
        string makes = directory.Combine("makes.txt");
        using var server = Start(ServerDll, new Dictionary<string, string> { ["OWN_PROCESS_ENV_MAKES"] = makes }, "--bind", "tcp://127.0.0.1:*", "--env-assembly", OwnProcessAssembly);
        try
        {
            string? line = server.StandardOutput.ReadLine();
            Assert.True(line?.StartsWith("zerogym-server listening on ", StringComparison.Ordinal), $"the server did not start: {line}");
            int checkedIn = Assert.Single(File.ReadAllLines(makes).Select(int.Parse));
            Assert.NotEqual(server.Id, checkedIn);

            using var env = RemoteEnv.Make("OwnProcess-v0", line!["zerogym-server listening on ".Length..]);
            env.Reset(seed: 0);
            long steppedIn = (long)env.Step(1L).Info["pid"]!;

            Assert.NotEqual(server.Id, steppedIn);
            Assert.NotEqual(checkedIn, steppedIn);
            // The worker made only the env it serves: its server had checked the assembly's envs at start-up.
            Assert.Equal([checkedIn, (int)steppedIn], File.ReadAllLines(makes).Select(int.Parse));
        }
        finally
        {
            server.Kill();
            server.WaitForExit();
        }
    }

    [Fact]
    public void ServerProcess_OfAnEnvThatCrashesItsWorkerOnConstruction_ExitsWith2NamingTheAssemblyAndTheEnv()
    {
        using var crashing = Start(ServerDll, new Dictionary<string, string> { ["OWN_PROCESS_ENV_CRASH"] = "1" }, "--bind", "tcp://127.0.0.1:*", "--env-assembly", OwnProcessAssembly);

        string errors = crashing.StandardError.ReadToEnd();

        Assert.True(crashing.WaitForExit(120_000));
        Assert.True(crashing.ExitCode == 2, $"exit code {crashing.ExitCode}; the server's errors: {errors}");
        Assert.Contains(
            $"zerogym-server: --env-assembly {OwnProcessAssembly}: env 'OwnProcess-v0' cannot be made with its default kwargs in a worker process of its own " +
            "(its spec says NeedsOwnProcess): InvalidOperationException: OwnProcess-v0: its worker process (pid ", errors);
        Assert.Contains("ended during 'make' with signal 6 (SIGABRT)", errors);
    }

    private static Process Start(string serverDll, params string[] arguments) => Start(serverDll, [], arguments);

    private static Process Start(string serverDll, Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(serverDll);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    private static EnvSpec Spec(string id, Space? observationSpace = null) => new(
        id, (_, _) => new FixedEnv(observationSpace ?? new Discrete(3)), new Dictionary<string, object?>(),
        MaxEpisodeSteps: 10, RewardThreshold: null, RenderModes: [], RenderFps: 0, Description: "a test env");

    private sealed class Family(params EnvSpec[] specs) : IEnvFamily
    {
        public IEnumerable<EnvSpec> Specs => specs;
    }

    /// <summary>An env that never moves, with the observation space it is given.</summary>
    private sealed class FixedEnv(Space observationSpace) : Env
    {
        public override Space ObservationSpace => observationSpace;

        public override Space ActionSpace { get; } = new Discrete(2);

        public override StepResult Step(object action) => new(0L, 0, false, false, Info.Empty);
    }

    /// <summary>A space of the user's own making: the wire has no form for it.</summary>
    private sealed class EverySpace : Space
    {
        public override bool Contains(object? value) => true;

        public override object Coerce(object? value) => value!;

        public override object Sample(Random random) => 0L;

        public override bool Equals(Space? other) => other is EverySpace;

        public override int GetHashCode() => 1;

        public override string ToString() => "EverySpace";
    }
}
