using System.Security.Cryptography;

namespace ZeroGym.Envs.Nes;

/// <summary>An iNES file read into memory and checked: header magic, at least one PRG-ROM bank, no truncation.</summary>
public sealed record NesRom(string Name, byte[] Bytes)
{
    private const int HeaderBytes = 16;
    private const int TrainerBytes = 512;
    private static ReadOnlySpan<byte> Magic => "NES\u001a"u8;

    /// <summary>SHA-1 of the whole file in lower-case hex, as gym-super-mario-bros identifies its ROM.</summary>
    public string Sha1 => Convert.ToHexStringLower(SHA1.HashData(Bytes));

    /// <summary>Checks <paramref name="bytes"/> as an iNES file; <see cref="ArgumentException"/> says what is wrong.</summary>
    public static NesRom Parse(string name, byte[] bytes)
    {
        if (bytes.Length < HeaderBytes || !bytes.AsSpan(0, 4).SequenceEqual(Magic))
        {
            string start = Convert.ToHexString(bytes.AsSpan(0, Math.Min(4, bytes.Length)));
            throw new ArgumentException($"'{name}' is not an iNES ROM: expected the bytes 4E45531A (\"NES\\x1A\") at the start; found {(start.Length == 0 ? "an empty file" : start)}");
        }

        int prgBytes = bytes[4] * 16384;
        int chrBytes = bytes[5] * 8192;
        int trainer = (bytes[6] & 0x04) != 0 ? TrainerBytes : 0;
        if (prgBytes == 0) throw new ArgumentException($"'{name}' is not a playable iNES ROM: its header declares no PRG-ROM");
        int expected = HeaderBytes + trainer + prgBytes + chrBytes;
        if (bytes.Length < expected)
        {
            throw new ArgumentException($"'{name}' is truncated: its iNES header declares {expected} bytes; the file has {bytes.Length}");
        }

        return new NesRom(name, bytes);
    }
}
