using System.Diagnostics;
using ZeroGym.Agents.Common;
using ZeroGym.Arrays;

namespace ZeroGym.Tests.Agents;

/// <summary>Needs Debian's ffmpeg (scripts/setup installs it).</summary>
public sealed class VideoWriterTests
{
    private static NDArray Frame(int width, int height, byte shade)
    {
        var pixels = new byte[height * width * 3];
        for (int i = 0; i < pixels.Length; i += 3) (pixels[i], pixels[i + 1], pixels[i + 2]) = (shade, (byte)(255 - shade), (byte)(i / 3 % width));
        return new NDArray(DType.UInt8, [height, width, 3], pixels);
    }

    /// <summary>ffprobe's width, height and counted frames of the first video stream.</summary>
    private static (int Width, int Height, int Frames) Probe(string path)
    {
        var start = new ProcessStartInfo("ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=width,height,nb_read_frames", "-of", "csv=p=0", path])
        {
            RedirectStandardOutput = true,
        };
        using var ffprobe = Process.Start(start)!;
        string output = ffprobe.StandardOutput.ReadToEnd().Trim();
        ffprobe.WaitForExit();
        Assert.Equal(0, ffprobe.ExitCode);
        int[] fields = [.. output.Split(',').Select(int.Parse)];
        return (fields[0], fields[1], fields[2]);
    }

    /// <summary>ffprobe's frame rate of the first video stream, e.g. "25/1".</summary>
    internal static string FrameRate(string path)
    {
        var start = new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=r_frame_rate", "-of", "csv=p=0", path])
        {
            RedirectStandardOutput = true,
        };
        using var ffprobe = Process.Start(start)!;
        string output = ffprobe.StandardOutput.ReadToEnd().Trim();
        ffprobe.WaitForExit();
        Assert.Equal(0, ffprobe.ExitCode);
        return output;
    }

    [Fact]
    public void Write_GivesAnMp4_WithEveryFrameAtItsSize()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.Combine("episode.mp4");

        using (var video = new VideoWriter(path, width: 64, height: 48, fps: 50))
        {
            for (int i = 0; i < 12; i++) video.Write(Frame(64, 48, (byte)(i * 20)));
            Assert.Equal(12, video.FrameCount);
        }

        Assert.Equal((64, 48, 12), Probe(path));
        Assert.Equal("50/1", FrameRate(path));
    }

    [Fact]
    public void Write_OfAnOddSizedFrame_PadsTheVideoToEvenSize()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.Combine("odd.mp4");

        using (var video = new VideoWriter(path, width: 33, height: 21, fps: 30))
        {
            for (int i = 0; i < 3; i++) video.Write(Frame(33, 21, (byte)i));
        }

        Assert.Equal((34, 22, 3), Probe(path));
    }

    [Fact]
    public void Write_OfAFrameOfAnotherShape_SaysWhichShapeItNeeds()
    {
        using var directory = new TemporaryDirectory();
        using var video = new VideoWriter(directory.Combine("episode.mp4"), width: 64, height: 48, fps: 50);
        video.Write(Frame(64, 48, 0));

        var error = Assert.Throws<ArgumentException>(() => video.Write(Frame(48, 64, 0)));

        Assert.Contains("uint8 with shape (48, 64, 3)", error.Message);
    }

    [Fact]
    public void Dispose_WhenFfmpegCannotWriteThePath_ThrowsItsMessage()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.Combine("missing-folder", "episode.mp4");

        var error = Assert.Throws<AgentException>(() =>
        {
            using var video = new VideoWriter(path, width: 16, height: 16, fps: 10);
            for (int i = 0; i < 200; i++) video.Write(Frame(16, 16, 1));
        });

        Assert.Contains("ffmpeg", error.Message);
        Assert.Contains(path, error.Message);
    }
}
