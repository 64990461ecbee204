using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ZeroGym.Tests.Agents;

/// <summary>The local env server that train starts ends with its agent, however the agent ends (issue 15, item 7).</summary>
public sealed partial class LocalServerLifetimeTests
{
    [Fact]
    public void AgentKilledWithSigkill_LeavesNoServerRunning()
    {
        using var directory = new TemporaryDirectory();
        var start = new ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "ZeroGym.Agents.dll"), "train", "dqn", "--env", "CartPole-v1",
             "--total-steps", "100000000", "--eval-every", "0", "--run-dir", directory.Combine("run")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var agent = Process.Start(start)!;
        agent.ErrorDataReceived += (_, _) => { };
        agent.BeginErrorReadLine();
        int serverPid = 0;
        try
        {
            while (agent.StandardOutput.ReadLine() is { } line)
            {
                if (StartedServer().Match(line) is { Success: true } started)
                {
                    serverPid = int.Parse(started.Groups[1].Value);
                    break;
                }
            }

            Assert.True(serverPid > 0, "train should say which local server it started");
            using var server = Process.GetProcessById(serverPid);
            Assert.False(server.HasExited);

            agent.Kill(); // SIGKILL: no handler of the agent runs
            agent.WaitForExit();

            Assert.True(server.WaitForExit(TimeSpan.FromSeconds(10)), $"the local server (pid {serverPid}) outlived its killed agent by 10 s");
        }
        finally
        {
            if (!agent.HasExited) agent.Kill();
            if (serverPid > 0 && IsRunning(serverPid)) Process.GetProcessById(serverPid).Kill();
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^train: started a local env server at \S+ \(pid (\d+),")]
    private static partial Regex StartedServer();
}
