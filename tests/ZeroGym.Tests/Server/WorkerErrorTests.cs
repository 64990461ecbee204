using ZeroGym.Envs.Core;
using ZeroGym.EnvServer;
using ZeroGym.Tests.Envs.Nes;

namespace ZeroGym.Tests.Server;

/// <summary>
/// An env in a worker process answers as the same env inside the server would: the worker's error reaches the
/// client with the worker's own code and message, not re-labelled or wrapped by the server on the way.
/// </summary>
public sealed class WorkerErrorTests : IDisposable
{
    private static readonly ClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly string folder = Directory.CreateTempSubdirectory("zerogym-worker-errors-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void AnEmulatorThatRefusesTheGame_IsTheWorkersEnvFailure_WordForWord()
    {
        // A real ROM whose (NES 2.0) header names mapper 4095, which no core implements: it refuses to load it.
        byte[] rom = File.ReadAllBytes(TestRoms.Path(TestRoms.Joypad));
        rom[6] |= 0xF0;
        rom[7] = (byte)((rom[7] & 0x03) | 0x08 | 0xF0);
        rom[8] = 0x0F;
        string path = Path.Combine(folder, "mapper4095.nes");
        File.WriteAllBytes(path, rom);

        var (inProcess, inWorker) = MakeBoth(new Dictionary<string, object?> { ["rom"] = path });

        Assert.Equal(ErrorCodes.EnvFailure, inProcess.Code);
        Assert.Equal((inProcess.Code, inProcess.Message), (inWorker.Code, inWorker.Message));
    }

    [Fact]
    public void AKwargTheWorkerRejects_IsTheWorkersInvalidArgument_WordForWord()
    {
        var (inProcess, inWorker) = MakeBoth(new Dictionary<string, object?> { ["rom"] = TestRoms.Path(TestRoms.Joypad), ["palette"] = "sepia" });

        Assert.Equal(ErrorCodes.InvalidArgument, inProcess.Code);
        Assert.Equal((inProcess.Code, inProcess.Message), (inWorker.Code, inWorker.Message));
    }

    /// <summary>The error of the same make on a server running NES envs in-process and on one running them in workers.</summary>
    private static (ZeroGymException InProcess, ZeroGymException InWorker) MakeBoth(Dictionary<string, object?> kwargs)
    {
        ZeroGymException MakeOn(bool inProcessEnvs)
        {
            using var server = new TestServer(new ServerOptions { InProcessEnvs = inProcessEnvs }, BuiltInEnvs.CreateRegistry());
            var error = Assert.Throws<ZeroGymException>(() => RemoteEnv.Make("NES-v0", server.Address, kwargs, options: Quick));
            // The server goes on: the failure cost only the env that was being made.
            using var other = RemoteEnv.Make("CartPole-v1", server.Address, options: Quick);
            other.Reset();
            return error;
        }

        return (MakeOn(inProcessEnvs: true), MakeOn(inProcessEnvs: false));
    }
}
