using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace ZeroGym.Torch;

/// <summary>
/// Reads and writes the safetensors format (https://huggingface.co/docs/safetensors), so Python's safetensors,
/// PyTorch or plain numpy can read what C# saved: an 8-byte little-endian header length N, N bytes of JSON
/// <c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}</c> padded with
/// spaces to a multiple of 8, then the tensors' little-endian bytes in C order, offsets counted from the end of
/// the header.
/// </summary>
public static class SafeTensors
{
    internal const string MetadataKey = "__metadata__";

    // Names and metadata are arbitrary text, not HTML: write them as they are instead of \u-escaping '+' or '<'.
    private static readonly JsonWriterOptions WriterOptions =
        new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes <paramref name="tensors"/> (from any device) in the given order, with optional string
    /// <paramref name="metadata"/>. Atomic: the file is written under a temporary name and renamed over
    /// <paramref name="path"/>, so a crash leaves either the old file or the new one.
    /// </summary>
    public static void Save(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var header = new ArrayBufferWriter<byte>();
        long[] sizes = WriteHeader(header, tensors, metadata);
        int padding = (8 - header.WrittenCount % 8) % 8;

        string temporary = Path.Combine(
            Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(header.WrittenCount + padding));
                file.Write(length);
                file.Write(header.WrittenSpan);
                for (int i = 0; i < padding; i++) file.WriteByte((byte)' ');
                for (int i = 0; i < tensors.Count; i++) WriteData(file, tensors[i].Tensor, sizes[i]);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(temporary)) File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Reads every tensor of the file onto <paramref name="device"/> (CPU by default) and its metadata. The tensors
    /// belong to the caller (or, like any new tensor, to the innermost dispose scope). A malformed file or an
    /// unsupported dtype is an <see cref="InvalidDataException"/>.
    /// </summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(
        string path, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using SafeFileHandle file = File.OpenHandle(path);
        var (entries, metadata, dataStart) = SafeTensorsHeader.Read(file, path);
        var tensors = new Dictionary<string, Tensor>(entries.Count);
        try
        {
            foreach (var entry in entries)
            {
                tensors.Add(entry.Name, ReadData(file, path, entry, dataStart, device ?? Device.Cpu));
            }
        }
        catch
        {
            foreach (Tensor tensor in tensors.Values) tensor.Dispose();
            throw;
        }

        return (tensors, metadata);
    }

    /// <summary>
    /// Copies the file's tensors into <paramref name="targets"/> by name (e.g. <see cref="Module.NamedParameters"/>),
    /// converting the element type if needed, without recording gradients. Every target must be in the file with
    /// its shape, checked before anything is copied; other tensors in the file are ignored.
    /// </summary>
    public static void LoadInto(string path, IReadOnlyList<(string Name, Tensor Tensor)> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var (tensors, _) = Load(path);
        try
        {
            foreach (var (name, target) in targets)
            {
                if (!tensors.TryGetValue(name, out Tensor? source))
                {
                    throw new InvalidDataException($"{path}: no tensor named \"{name}\" (the file has "
                        + $"{string.Join(", ", tensors.Keys.Select(key => $"\"{key}\""))})");
                }

                long[] expected = target.Shape;
                long[] found = source.Shape;
                if (!expected.AsSpan().SequenceEqual(found))
                {
                    throw new InvalidDataException($"{path}: tensor \"{name}\": expected shape "
                        + $"[{string.Join(", ", expected)}], found [{string.Join(", ", found)}]");
                }
            }

            using (LibTorch.NoGrad())
            {
                foreach (var (name, target) in targets) target.CopyFrom(tensors[name]);
            }
        }
        finally
        {
            foreach (Tensor tensor in tensors.Values) tensor.Dispose();
        }
    }

    /// <summary>The safetensors dtype name of <paramref name="type"/>.</summary>
    internal static string DtypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.UInt8 => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a ScalarType"),
    };

    // Writes the JSON header and returns each tensor's size in bytes.
    private static long[] WriteHeader(IBufferWriter<byte> header,
        IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var sizes = new long[tensors.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var json = new Utf8JsonWriter(header, WriterOptions);
        json.WriteStartObject();
        if (metadata is not null)
        {
            json.WriteStartObject(MetadataKey);
            foreach (var (key, value) in metadata) json.WriteString(key, value);
            json.WriteEndObject();
        }

        long offset = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var (name, tensor) = tensors[i];
            if (name == MetadataKey || !names.Add(name))
            {
                throw new ArgumentException(
                    $"tensor names must be unique and not {MetadataKey}, found \"{name}\" twice or reserved",
                    nameof(tensors));
            }

            ScalarType type = tensor.Type;
            sizes[i] = tensor.NumElements * type.ElementSize();
            json.WriteStartObject(name);
            json.WriteString("dtype", DtypeName(type));
            json.WriteStartArray("shape");
            foreach (long size in tensor.Shape) json.WriteNumberValue(size);
            json.WriteEndArray();
            json.WriteStartArray("data_offsets");
            json.WriteNumberValue(offset);
            json.WriteNumberValue(offset + sizes[i]);
            json.WriteEndArray();
            json.WriteEndObject();
            offset += sizes[i];
        }

        json.WriteEndObject();
        return sizes;
    }

    private static void WriteData(FileStream file, Tensor tensor, long size)
    {
        if (size > Array.MaxLength)
        {
            throw new NotSupportedException($"tensors over {Array.MaxLength} bytes are not supported, found {size}");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)size);
        try
        {
            Span<byte> bytes = buffer.AsSpan(0, (int)size);
            tensor.CopyBytesTo(bytes);
            file.Write(bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Tensor ReadData(SafeFileHandle file, string path, SafeTensorsHeader.Entry entry, long dataStart,
        Device device)
    {
        long size = entry.End - entry.Begin;
        if (size > Array.MaxLength)
        {
            throw new NotSupportedException(
                $"{path}: tensor \"{entry.Name}\": tensors over {Array.MaxLength} bytes are not supported, found {size}");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)size);
        try
        {
            Span<byte> bytes = buffer.AsSpan(0, (int)size);
            SafeTensorsHeader.ReadExactly(file, bytes, dataStart + entry.Begin, path);
            return Tensor.FromBytes(bytes, entry.Type, entry.Shape, device);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
