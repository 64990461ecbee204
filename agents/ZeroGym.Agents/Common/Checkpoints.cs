using System.Globalization;

namespace ZeroGym.Agents.Common;

/// <summary>
/// The checkpoints/ folder of a run: one <c>step-&lt;global step, 12 digits&gt;</c> directory per checkpoint, each
/// written in a temporary directory and renamed into place whole, and a <c>latest</c> file naming the newest. Only
/// the <see cref="Kept"/> newest are kept, so the last one (the final checkpoint at the end of a run) always is.
/// </summary>
public static class Checkpoints
{
    public const string FolderName = "checkpoints";
    public const string LatestFile = "latest";

    /// <summary>How many checkpoints are kept.</summary>
    public const int Kept = 3;

    private const string Prefix = "step-";
    private const string TemporaryPrefix = ".tmp-";

    /// <summary>The newest checkpoint's directory in <paramref name="runDirectory"/>, or null when there is none.</summary>
    /// <remarks>When <c>latest</c> is missing or names a directory that is gone (a crash between the rename and the
    /// update of <c>latest</c>), the checkpoint with the highest step is the newest.</remarks>
    public static string? Latest(string runDirectory)
    {
        string folder = Path.Combine(runDirectory, FolderName);
        string latestFile = Path.Combine(folder, LatestFile);
        if (File.Exists(latestFile))
        {
            string named = Path.Combine(folder, File.ReadAllText(latestFile).Trim());
            if (StepOf(named) is not null && Directory.Exists(named)) return named;
        }

        var checkpoints = List(folder);
        return checkpoints.Count > 0 ? checkpoints[^1].Directory : null;
    }

    /// <summary>The global step a checkpoint directory was written at (from its name), or null for another name.</summary>
    public static long? StepOf(string checkpointDirectory)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpointDirectory));
        return name.StartsWith(Prefix, StringComparison.Ordinal) && name.Length == Prefix.Length + 12
            && long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long step)
            ? step
            : null;
    }

    /// <summary>
    /// Writes the checkpoint of <paramref name="globalStep"/>: <paramref name="writeFiles"/> fills a temporary
    /// directory, which is then renamed to <c>step-…</c> (replacing one of the same step), named in <c>latest</c>,
    /// and older checkpoints beyond <see cref="Kept"/> are deleted. Returns the checkpoint's directory.
    /// </summary>
    internal static string Save(string runDirectory, long globalStep, Action<string> writeFiles)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(globalStep);
        string folder = Path.Combine(runDirectory, FolderName);
        Directory.CreateDirectory(folder);
        // Leftovers of a checkpoint interrupted by a crash: never renamed into place, so never referenced.
        foreach (string stale in Directory.EnumerateDirectories(folder, TemporaryPrefix + "*")) Directory.Delete(stale, recursive: true);

        string name = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{globalStep:D12}");
        string temporary = Path.Combine(folder, TemporaryPrefix + name);
        Directory.CreateDirectory(temporary);
        try
        {
            writeFiles(temporary);
        }
        catch
        {
            Directory.Delete(temporary, recursive: true);
            throw;
        }

        string target = Path.Combine(folder, name);
        if (Directory.Exists(target))
        {
            // Same step again (a resumed run saving where it started): the old one leaves through a temporary name,
            // so a crash in between leaves at worst a stale temporary directory, never a half-written checkpoint.
            string replaced = Path.Combine(folder, TemporaryPrefix + "replaced-" + name);
            Directory.Move(target, replaced);
            Directory.Move(temporary, target);
            Directory.Delete(replaced, recursive: true);
        }
        else
        {
            Directory.Move(temporary, target);
        }

        string latestFile = Path.Combine(folder, LatestFile);
        File.WriteAllText(latestFile + ".tmp", name + "\n");
        File.Move(latestFile + ".tmp", latestFile, overwrite: true);

        foreach (var (_, old) in List(folder).SkipLast(Kept)) Directory.Delete(old, recursive: true);
        return target;
    }

    /// <summary>The checkpoints in <paramref name="folder"/>, oldest first.</summary>
    private static List<(long Step, string Directory)> List(string folder) =>
        !Directory.Exists(folder)
            ? []
            : Directory.EnumerateDirectories(folder, Prefix + "*")
                .Select(directory => (Step: StepOf(directory), Directory: directory))
                .Where(checkpoint => checkpoint.Step is not null)
                .Select(checkpoint => (Step: checkpoint.Step!.Value, checkpoint.Directory))
                .OrderBy(checkpoint => checkpoint.Step)
                .ToList();
}
