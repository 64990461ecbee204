using MessagePack;

namespace ZeroGym.Protocol.Messages;

/// <summary>Writes one field's value (its key is written by the shape).</summary>
public delegate void FieldWriter<in T>(ref MessagePackWriter writer, T message);

/// <summary>Reads one field's value into <paramref name="message"/>; <paramref name="what"/> names it for errors.</summary>
public delegate void FieldReader<in T>(ref MessagePackReader reader, T message, string what);

/// <summary>One key of a message: how its value is written and read, and whether it must be there.</summary>
public sealed class MessageField<T>
{
    internal MessageField(string key, string expected, bool required, Func<T, bool>? writtenWhen, FieldWriter<T> write, FieldReader<T> read)
    {
        Key = key;
        Utf8Key = System.Text.Encoding.UTF8.GetBytes(key);
        QuotedKey = $"'{key}'";
        Expected = expected;
        Required = required;
        WrittenWhen = writtenWhen;
        Write = write;
        Read = read;
    }

    /// <summary>The map key, as SPEC.md §3 spells it.</summary>
    public string Key { get; }

    /// <summary>What the value must be, for error messages ("an integer").</summary>
    public string Expected { get; }

    /// <summary>Whether a message without this key is <c>malformed</c>; optional keys are written only when they have a value.</summary>
    public bool Required { get; }

    internal byte[] Utf8Key { get; }

    internal string QuotedKey { get; }

    internal Func<T, bool>? WrittenWhen { get; }

    internal FieldWriter<T> Write { get; }

    internal FieldReader<T> Read { get; }

    /// <summary>Whether <paramref name="message"/> carries this key on the wire.</summary>
    public bool IsWritten(T message) => WrittenWhen?.Invoke(message) ?? true;
}
