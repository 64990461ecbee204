using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace ZeroGym.Torch;

/// <summary>Reads and validates a safetensors header; the file may be corrupt or hostile, so every length and
/// offset is checked against the bytes that are there before anything is allocated from it.</summary>
internal static class SafeTensorsHeader
{
    /// <summary>One tensor: its bytes are [Begin, End) counted from the end of the header.</summary>
    internal sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    // The reference implementation refuses larger headers too.
    private const ulong MaxLength = 100_000_000;

    public static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) Read(
        SafeFileHandle file, string path)
    {
        long fileLength = RandomAccess.GetLength(file);
        if (fileLength < 8)
        {
            throw Invalid(path, $"expected at least the 8-byte header length, found a {fileLength}-byte file");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(file, lengthBytes, 0, path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxLength || headerLength > (ulong)(fileLength - 8))
        {
            throw Invalid(path, $"expected a header length of at most {Math.Min(MaxLength, (ulong)(fileLength - 8))} "
                + $"bytes, found {headerLength}");
        }

        var json = new byte[headerLength];
        ReadExactly(file, json, 8, path);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        using JsonDocument document = Parse(json, path);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"expected the header to be a JSON object, found {document.RootElement.ValueKind}");
        }

        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (!names.Add(property.Name)) throw Invalid(path, $"\"{property.Name}\" appears twice in the header");
            if (property.Name == SafeTensors.MetadataKey) ReadMetadata(property.Value, metadata, path);
            else entries.Add(ReadEntry(property, dataLength, path));
        }

        return (entries, metadata, dataStart);
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/> of the file.</summary>
    public static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(file, buffer, offset);
            if (read == 0) throw Invalid(path, $"expected {buffer.Length} more bytes at offset {offset}, found the end");
            buffer = buffer[read..];
            offset += read;
        }
    }

    private static JsonDocument Parse(byte[] json, string path)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path}: the header is not valid JSON: {error.Message}", error);
        }
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"expected {SafeTensors.MetadataKey} to be an object, found {element.ValueKind}");
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(path,
                    $"expected metadata \"{property.Name}\" to be a string, found {property.Value.ValueKind}");
            }

            metadata[property.Name] = property.Value.GetString()!;
        }
    }

    private static Entry ReadEntry(JsonProperty property, long dataLength, string path)
    {
        string name = property.Name;
        JsonElement element = property.Value;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"tensor \"{name}\": expected an object, found {element.ValueKind}");
        }

        string dtype = Field(element, "dtype", JsonValueKind.String, name, path).GetString()!;
        ScalarType type = dtype switch
        {
            "F32" => ScalarType.Float32,
            "F64" => ScalarType.Float64,
            "I64" => ScalarType.Int64,
            "I32" => ScalarType.Int32,
            "U8" => ScalarType.UInt8,
            "BOOL" => ScalarType.Bool,
            _ => throw Invalid(path, $"tensor \"{name}\": expected dtype F32, F64, I64, I32, U8 or BOOL, found {dtype}"),
        };

        long[] shape = Integers(Field(element, "shape", JsonValueKind.Array, name, path), "shape", name, path);
        long[] offsets =
            Integers(Field(element, "data_offsets", JsonValueKind.Array, name, path), "data_offsets", name, path);
        if (offsets.Length != 2 || offsets[0] > offsets[1] || offsets[1] > dataLength)
        {
            throw Invalid(path, $"tensor \"{name}\": expected data_offsets [begin, end] within the {dataLength} data "
                + $"bytes, found [{string.Join(", ", offsets)}]");
        }

        long expected;
        try
        {
            expected = type.ElementSize();
            foreach (long size in shape) expected = checked(expected * size);
        }
        catch (OverflowException)
        {
            throw Invalid(path, $"tensor \"{name}\": shape [{string.Join(", ", shape)}] is too large");
        }

        if (offsets[1] - offsets[0] != expected)
        {
            throw Invalid(path, $"tensor \"{name}\": expected {expected} bytes for {dtype} of shape "
                + $"[{string.Join(", ", shape)}], found data_offsets [{offsets[0]}, {offsets[1]}]");
        }

        return new Entry(name, type, shape, offsets[0], offsets[1]);
    }

    private static JsonElement Field(JsonElement tensor, string field, JsonValueKind kind, string name, string path)
    {
        if (!tensor.TryGetProperty(field, out JsonElement value) || value.ValueKind != kind)
        {
            throw Invalid(path, $"tensor \"{name}\": expected \"{field}\" to be a JSON {kind}");
        }

        return value;
    }

    private static long[] Integers(JsonElement array, string field, string name, string path)
    {
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i]) || values[i] < 0)
            {
                throw Invalid(path, $"tensor \"{name}\": expected {field} to hold non-negative integers, found {item}");
            }

            i++;
        }

        return values;
    }

    private static InvalidDataException Invalid(string path, string message) => new($"{path}: {message}");
}
