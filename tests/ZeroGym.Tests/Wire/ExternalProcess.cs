using System.ComponentModel;
using System.Diagnostics;

namespace ZeroGym.Tests.Wire;

/// <summary>Runs a helper program (npm, tar, python) to completion and fails loudly when it cannot.</summary>
internal static class ExternalProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The program's standard output; any failure to start, a non-zero exit or a timeout throws.</summary>
    public static string Run(string program, IEnumerable<string> arguments, string workingDirectory, string? input = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        string commandLine = $"{program} {string.Join(' ', start.ArgumentList)}";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start `{commandLine}`");
        }
        catch (Win32Exception error)
        {
            throw new InvalidOperationException($"could not start `{commandLine}` (is {program} installed?): {error.Message}", error);
        }

        using (process)
        {
            // Drain both pipes while writing stdin, so a chatty child cannot block on a full pipe.
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }

            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"`{commandLine}` did not finish within {Timeout.TotalMinutes} minutes");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"`{commandLine}` in {workingDirectory} exited with code {process.ExitCode}: {errors.Result.Trim()}");
            }

            return output.Result;
        }
    }
}
