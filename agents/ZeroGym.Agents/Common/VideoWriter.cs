using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using ZeroGym.Arrays;

namespace ZeroGym.Agents.Common;

/// <summary>
/// Writes frames to an mp4 through <c>ffmpeg</c>: raw RGB frames go to its stdin and come out as H.264 (libx264,
/// yuv420p, which every player reads), or MPEG-4 part 2 when this ffmpeg has no libx264.
/// </summary>
public sealed class VideoWriter : IDisposable
{
    private const int ErrorTailChars = 4000;

    private static readonly Lazy<bool> HasLibx264 = new(() => RunFfmpeg("-hide_banner", "-encoders").Contains(" libx264 ", StringComparison.Ordinal));

    private readonly Process ffmpeg;
    private readonly Stream input;
    private readonly StringBuilder errors = new();
    private bool disposed;

    /// <summary>Starts ffmpeg writing <paramref name="path"/> (replaced if it exists) at <paramref name="fps"/> frames per second.</summary>
    public VideoWriter(string path, int width, int height, int fps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fps);
        Path = path;
        Width = width;
        Height = height;
        string[] codec = HasLibx264.Value ? ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20"] : ["-c:v", "mpeg4", "-q:v", "3"];
        string[] arguments =
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-framerate", $"{fps}", "-i", "-",
            // yuv420p needs even sizes: an odd one gets a one-pixel black edge.
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", .. codec, "-pix_fmt", "yuv420p", path,
        ];
        ffmpeg = Start(arguments, redirectInput: true);
        ffmpeg.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            lock (errors)
            {
                errors.AppendLine(line.Data);
                if (errors.Length > ErrorTailChars) errors.Remove(0, errors.Length - ErrorTailChars);
            }
        };
        ffmpeg.BeginErrorReadLine();
        input = ffmpeg.StandardInput.BaseStream;
    }

    public string Path { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Frames written so far.</summary>
    public int FrameCount { get; private set; }

    /// <summary>Appends a frame: uint8, shape (height, width, 3), RGB, as <c>render()</c> returns it.</summary>
    public void Write(NDArray frame)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (frame.DType != DType.UInt8 || !frame.ShapeEquals([Height, Width, 3]))
        {
            throw new ArgumentException($"a frame of this video must be uint8 with shape ({Height}, {Width}, 3); got {frame}", nameof(frame));
        }

        try
        {
            input.Write(frame.Data);
        }
        catch (IOException error)
        {
            ffmpeg.WaitForExit();
            throw new AgentException($"ffmpeg stopped while writing {Path}: {ErrorText()}", error);
        }

        FrameCount++;
    }

    /// <summary>Ends the video and waits for ffmpeg; throws an <see cref="AgentException"/> with its message if it failed.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            input.Dispose();
        }
        catch (IOException)
        {
            // ffmpeg already exited; its exit code and message below say why.
        }

        ffmpeg.WaitForExit();
        int exitCode = ffmpeg.ExitCode;
        ffmpeg.Dispose();
        if (exitCode != 0) throw new AgentException($"ffmpeg could not write {Path} (exit code {exitCode}): {ErrorText()}");
    }

    private string ErrorText()
    {
        lock (errors) return errors.Length == 0 ? "it printed nothing" : errors.ToString().Trim();
    }

    private static string RunFfmpeg(params string[] arguments)
    {
        using var process = Start(arguments, redirectInput: false);
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    private static Process Start(string[] arguments, bool redirectInput)
    {
        var start = new ProcessStartInfo("ffmpeg", arguments)
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = !redirectInput,
            RedirectStandardError = redirectInput,
            UseShellExecute = false,
        };
        try
        {
            return Process.Start(start) ?? throw new AgentException("ffmpeg did not start");
        }
        catch (Win32Exception error)
        {
            throw new AgentException(
                $"writing a video needs ffmpeg, which is not installed or not on PATH ({error.Message}); " +
                "scripts/setup installs it (Debian package ffmpeg)", error);
        }
    }
}
