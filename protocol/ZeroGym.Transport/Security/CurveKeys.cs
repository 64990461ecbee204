using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Transport.Security;

/// <summary>A CURVE key pair, both keys as 40 Z85 characters.</summary>
public sealed record CurveKeyPair(string PublicKey, string SecretKey)
{
    /// <summary>A new key pair from libzmq's generator.</summary>
    public static CurveKeyPair Generate()
    {
        var (publicKey, secretKey) = ZmqCurve.GenerateKeyPair();
        return new CurveKeyPair(publicKey, secretKey);
    }

    /// <summary>The pair a secret key belongs to (the public key is derived from it).</summary>
    public static CurveKeyPair FromSecretKey(string secretKey) => new(ZmqCurve.PublicKeyFromSecret(secretKey), secretKey);

    /// <summary>Keeps the secret key out of logs and exception messages.</summary>
    public override string ToString() => $"CurveKeyPair {{ PublicKey = {PublicKey} }}";
}

/// <summary>
/// The key files of <c>scripts/keygen NAME</c> and where clients and servers read keys from. Every option that takes
/// a key takes either the key itself (40 Z85 characters) or the path of a file that holds it:
/// <list type="bullet">
///   <item><c>NAME.key</c>: the key pair, lines <c>public-key = Z85</c> and <c>secret-key = Z85</c>; keep it secret.</item>
///   <item><c>NAME.pub</c>: the public key alone on one line; hand it to whoever must know it.</item>
///   <item>authorized keys: one public key per line, optionally followed by a label; lines starting with <c>#</c> are comments.</item>
/// </list>
/// </summary>
public static class CurveKeys
{
    public const int Z85KeyLength = 40;

    private const string PublicKeyField = "public-key";
    private const string SecretKeyField = "secret-key";

    /// <summary>Writes <c>NAME.key</c> (owner-only permissions) and <c>NAME.pub</c> for a new key pair.</summary>
    /// <exception cref="IOException">Either file exists already (keys are never overwritten silently).</exception>
    public static (string KeyPath, string PublicPath) WriteNewKeyPair(string name)
    {
        string keyPath = name + ".key", publicPath = name + ".pub";
        foreach (string path in new[] { keyPath, publicPath })
        {
            if (File.Exists(path)) throw new IOException($"{path} exists already; remove it first to make a new key pair named {name}");
        }

        var keys = CurveKeyPair.Generate();
        var secretFile = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) secretFile.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(keyPath, secretFile))
        {
            writer.Write($"# ZeroGym CURVE key pair '{Path.GetFileName(name)}' (Z85). Keep this file secret; share {Path.GetFileName(publicPath)}.\n");
            writer.Write($"{PublicKeyField} = {keys.PublicKey}\n{SecretKeyField} = {keys.SecretKey}\n");
        }

        File.WriteAllText(publicPath, keys.PublicKey + "\n");
        return (keyPath, publicPath);
    }

    /// <summary>
    /// A public key given as 40 Z85 characters or as a file: a <c>.pub</c> file, or a <c>.key</c> file whose public
    /// half is taken.
    /// </summary>
    /// <exception cref="FormatException">Neither a key nor a readable file holding one; the message says which.</exception>
    public static string ReadPublicKey(string keyOrPath, string what = "public key")
    {
        if (IsKeyText(keyOrPath)) return keyOrPath;
        var lines = ReadKeyFile(keyOrPath, what);
        if (Field(lines, PublicKeyField) is string field) return CheckKey(field, keyOrPath, what);
        var bare = lines.Where(line => Field([line], SecretKeyField) is null).ToList();
        if (bare.Count == 1) return CheckKey(bare[0].Split(' ', 2)[0], keyOrPath, what);
        throw new FormatException($"{what}: {keyOrPath} should hold one Z85 public key (a NAME.pub from scripts/keygen); found {bare.Count} key lines");
    }

    /// <summary>A key pair given as its secret key (40 Z85 characters) or as a <c>NAME.key</c> file.</summary>
    /// <exception cref="FormatException">Neither a secret key nor a key-pair file; the message says which.</exception>
    public static CurveKeyPair ReadKeyPair(string keyOrPath, string what = "key pair")
    {
        if (IsKeyText(keyOrPath)) return CurveKeyPair.FromSecretKey(keyOrPath);
        var lines = ReadKeyFile(keyOrPath, what);
        if (Field(lines, SecretKeyField) is not string secret)
        {
            throw new FormatException(
                $"{what}: {keyOrPath} holds no '{SecretKeyField} = ...' line; give the NAME.key file scripts/keygen wrote, not NAME.pub");
        }

        var keys = CurveKeyPair.FromSecretKey(CheckKey(secret, keyOrPath, what));
        if (Field(lines, PublicKeyField) is string written && written != keys.PublicKey)
        {
            throw new FormatException($"{what}: in {keyOrPath} the public key does not belong to the secret key; make a new pair with scripts/keygen");
        }

        return keys;
    }

    /// <summary>
    /// An authorized-keys file: public key → label (the rest of its line, or the key's first characters).
    /// </summary>
    /// <exception cref="FormatException">A line that is not a key, naming the file and line.</exception>
    public static IReadOnlyDictionary<string, string> ReadAuthorizedKeys(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"authorized keys: cannot read {path}: {error.Message}", error);
        }

        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int number = 1; number <= lines.Length; number++)
        {
            string line = lines[number - 1].Trim();
            if (IsBlankOrComment(line)) continue;
            string[] parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (!IsKeyText(parts[0]))
            {
                throw new FormatException(
                    $"authorized keys: {path} line {number}: expected a public key of {Z85KeyLength} Z85 characters, found '{Shorten(parts[0])}'");
            }

            keys.TryAdd(parts[0], parts.Length > 1 ? parts[1] : parts[0][..8]);
        }

        return keys;
    }

    /// <summary>True for text that is a key itself rather than a path: 40 valid Z85 characters.</summary>
    public static bool IsKeyText(string text)
    {
        if (text.Length != Z85KeyLength || File.Exists(text)) return false;
        try
        {
            return ZmqCurve.Z85Decode(text).Length == 32;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static List<string> ReadKeyFile(string path, string what)
    {
        try
        {
            return File.ReadAllLines(path).Select(line => line.Trim()).Where(line => !IsBlankOrComment(line)).ToList();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{what}: '{Shorten(path)}' is neither a key ({Z85KeyLength} Z85 characters) nor a readable key file: {error.Message}", error);
        }
    }

    private static string? Field(List<string> lines, string name)
    {
        foreach (string line in lines)
        {
            if (!line.StartsWith(name, StringComparison.Ordinal)) continue;
            string rest = line[name.Length..].TrimStart();
            if (rest.StartsWith('=')) return rest[1..].Trim().Trim('"');
        }

        return null;
    }

    private static string CheckKey(string key, string path, string what) =>
        IsKeyText(key) ? key : throw new FormatException($"{what}: {path} holds '{Shorten(key)}' where a {Z85KeyLength}-character Z85 key belongs");

    // Z85 uses '#' and '=' too, so a comment is a whole line starting with '#', never the tail of a key line.
    private static bool IsBlankOrComment(string line) => line.Length == 0 || line[0] == '#';

    // Never echo a whole secret into an error message.
    private static string Shorten(string text) => text.Length > 12 ? text[..8] + "…" : text;
}
