using System.Security.Cryptography;

namespace ZeroGym.Envs.Nes;

/// <summary>
/// Where the server finds the user's ROMs: the directory given to the server (<c>--rom-dir</c>), else the
/// <c>ZEROGYM_ROM_DIR</c> environment variable read when an env is made. No ROM ships with ZeroGym.
/// </summary>
public sealed class RomDirectory(string? configured = null)
{
    public const string EnvironmentVariable = "ZEROGYM_ROM_DIR";

    /// <summary>The directory in effect now, or null when neither the server nor the environment names one.</summary>
    public string? Path => configured ?? NullIfEmpty(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>
    /// The ROM <paramref name="rom"/> names: a path (absolute, or with a directory part) as given, a bare file name
    /// inside the ROM directory. Missing files and non-iNES files throw <see cref="ArgumentException"/>.
    /// </summary>
    public NesRom Open(string envId, string rom)
    {
        bool isPath = System.IO.Path.IsPathRooted(rom) || rom.Contains('/');
        string file;
        if (isPath)
        {
            file = rom;
        }
        else
        {
            string directory = Path ?? throw new ArgumentException(
                $"{envId}: rom '{rom}' is a file name, but no ROM directory is set: start the server with --rom-dir DIR or set {EnvironmentVariable}, or pass a path");
            file = System.IO.Path.Combine(directory, rom);
        }

        if (!File.Exists(file))
        {
            string where = isPath ? $"at '{file}'" : $"in the ROM directory '{Path}'";
            throw new ArgumentException($"{envId}: no ROM file '{rom}' {where}");
        }

        return NesRom.Parse(rom, File.ReadAllBytes(file));
    }

    /// <summary>
    /// The ROM in the directory whose SHA-1 is <paramref name="sha1"/>, whatever its file name; throws
    /// <see cref="ArgumentException"/> naming the directory and what it holds when none matches.
    /// </summary>
    public NesRom FindBySha1(string envId, string game, string sha1)
    {
        string directory = Path ?? throw new ArgumentException(
            $"{envId} needs the {game} ROM (an iNES file with SHA-1 {sha1}) in a ROM directory: start the server with --rom-dir DIR or set {EnvironmentVariable}");
        if (!Directory.Exists(directory)) throw new ArgumentException($"{envId}: the ROM directory '{directory}' does not exist");

        var looked = new List<string>();
        foreach (string file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            // ROMs of that era are at most a few MiB; skip anything larger unread.
            if (new FileInfo(file).Length > 8 << 20) continue;
            byte[] bytes = File.ReadAllBytes(file);
            looked.Add(System.IO.Path.GetFileName(file));
            if (Convert.ToHexStringLower(SHA1.HashData(bytes)) == sha1) return NesRom.Parse(System.IO.Path.GetFileName(file), bytes);
        }

        string seen = looked.Count == 0 ? "it holds no files" : $"it holds {string.Join(", ", looked.Take(10))}{(looked.Count > 10 ? ", ..." : "")}";
        throw new ArgumentException($"{envId} needs the {game} ROM (an iNES file with SHA-1 {sha1}); none in the ROM directory '{directory}': {seen}");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
