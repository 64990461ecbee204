using System.Text;

namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>
/// CURVE keys and their Z85 text form (ZeroMQ RFC 32: 4 bytes become 5 printable characters).
/// A key is 32 bytes, so 40 Z85 characters.
/// </summary>
public static class ZmqCurve
{
    private const int KeyZ85Length = 40;

    /// <summary>A new long-term key pair, both keys as 40 Z85 characters.</summary>
    /// <exception cref="ZmqException">libzmq was built without CURVE (ENOTSUP).</exception>
    public static unsafe (string PublicKey, string SecretKey) GenerateKeyPair()
    {
        byte* publicKey = stackalloc byte[KeyZ85Length + 1];
        byte* secretKey = stackalloc byte[KeyZ85Length + 1];
        ZmqError.ThrowIfFailed(LibZmq.zmq_curve_keypair(publicKey, secretKey), "zmq_curve_keypair");
        return (Encoding.ASCII.GetString(publicKey, KeyZ85Length), Encoding.ASCII.GetString(secretKey, KeyZ85Length));
    }

    /// <summary>The public key that belongs to a secret key, both as 40 Z85 characters.</summary>
    /// <exception cref="ArgumentException">The secret key is not 40 valid Z85 characters.</exception>
    public static unsafe string PublicKeyFromSecret(string secretKeyZ85)
    {
        ArgumentNullException.ThrowIfNull(secretKeyZ85);
        if (secretKeyZ85.Length != KeyZ85Length)
        {
            throw new ArgumentException(
                $"Expected a CURVE secret key of {KeyZ85Length} Z85 characters, found {secretKeyZ85.Length} characters.",
                nameof(secretKeyZ85));
        }

        // Decoding first turns a bad character into an ArgumentException rather than a bare EINVAL.
        _ = Z85Decode(secretKeyZ85);
        byte[] secretKey = ToNulTerminatedAscii(secretKeyZ85, nameof(secretKeyZ85));
        byte* publicKey = stackalloc byte[KeyZ85Length + 1];
        fixed (byte* secret = secretKey)
        {
            ZmqError.ThrowIfFailed(LibZmq.zmq_curve_public(publicKey, secret), "zmq_curve_public");
        }

        return Encoding.ASCII.GetString(publicKey, KeyZ85Length);
    }

    /// <summary>Decodes Z85 text; its length must be a multiple of 5.</summary>
    /// <exception cref="ArgumentException">The text is not valid Z85.</exception>
    public static unsafe byte[] Z85Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length % 5 != 0)
        {
            throw new ArgumentException(
                $"Expected Z85 text whose length is a multiple of 5, found {text.Length} characters.", nameof(text));
        }

        byte[] data = new byte[text.Length / 5 * 4];
        if (data.Length == 0)
        {
            return data;
        }

        byte[] ascii = ToNulTerminatedAscii(text, nameof(text));
        fixed (byte* destination = data)
        fixed (byte* source = ascii)
        {
            if (LibZmq.zmq_z85_decode(destination, source) == null)
            {
                throw new ArgumentException(
                    "Expected Z85 text (characters 0-9 a-z A-Z .-:+=^!/*?&<>()[]{}@%$#), found other characters.",
                    nameof(text));
            }
        }

        return data;
    }

    /// <summary>Encodes bytes as Z85; their number must be a multiple of 4.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of 4.</exception>
    public static unsafe string Z85Encode(ReadOnlySpan<byte> data)
    {
        if (data.Length % 4 != 0)
        {
            throw new ArgumentException(
                $"Expected a number of bytes that is a multiple of 4, found {data.Length}.", nameof(data));
        }

        if (data.IsEmpty)
        {
            return "";
        }

        byte[] text = new byte[data.Length / 4 * 5 + 1];
        fixed (byte* destination = text)
        fixed (byte* source = data)
        {
            LibZmq.zmq_z85_encode(destination, source, (nuint)data.Length);
        }

        return Encoding.ASCII.GetString(text, 0, text.Length - 1);
    }

    /// <summary>libzmq reads Z85 as a C string; anything outside ASCII is rejected here, not mangled.</summary>
    private static byte[] ToNulTerminatedAscii(string text, string parameterName)
    {
        if (!Ascii.IsValid(text))
        {
            throw new ArgumentException("Expected Z85 text, found characters outside ASCII.", parameterName);
        }

        byte[] bytes = new byte[text.Length + 1];
        Encoding.ASCII.GetBytes(text, bytes);
        return bytes;
    }
}
