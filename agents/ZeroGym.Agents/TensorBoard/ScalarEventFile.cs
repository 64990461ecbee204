using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Net;
using Google.Protobuf;

namespace ZeroGym.Agents.TensorBoard;

/// <summary>
/// A TensorBoard event file of scalars, written as TensorBoard's own writers write one: a sequence of TFRecords
/// (the data's length as a little-endian uint64, the masked CRC-32C of those 8 bytes, the data, the masked CRC-32C
/// of the data), each holding one serialized <see cref="Event"/>; the first announces the file version. A run keeps
/// one file, <c>events.out.tfevents.&lt;unix time&gt;.&lt;host&gt;</c>, and a resumed run goes on appending to it.
/// </summary>
internal sealed class ScalarEventFile : IDisposable
{
    /// <summary>The start of every event file's name; TensorBoard finds files by it.</summary>
    public const string NamePrefix = "events.out.tfevents.";

    /// <summary>The version the first event of a file announces (TensorBoard's current one).</summary>
    public const string FileVersion = "brain.Event:2";

    private readonly Lock gate = new();
    private FileStream? stream;

    private ScalarEventFile(string path) => Path = path;

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>The run's event file in <paramref name="directory"/>: the one already there, or a new one.</summary>
    public static ScalarEventFile Open(string directory)
    {
        string? existing = Directory.EnumerateFiles(directory, NamePrefix + "*").Order(StringComparer.Ordinal).FirstOrDefault();
        if (existing is not null) return new ScalarEventFile(existing);

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var file = new ScalarEventFile(System.IO.Path.Combine(directory, $"{NamePrefix}{now.ToString(CultureInfo.InvariantCulture)}.{Dns.GetHostName()}"));
        file.Write(new Event { WallTime = WallTimeNow(), FileVersion = FileVersion });
        return file;
    }

    /// <summary>Adds one event at <paramref name="step"/> holding <paramref name="values"/> (chart tag → value).</summary>
    public void Add(long step, IEnumerable<(string Tag, double Value)> values)
    {
        var summary = new Summary();
        foreach (var (tag, value) in values) summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
        Write(new Event { WallTime = WallTimeNow(), Step = step, Summary = summary });
    }

    /// <summary>Writes the events added so far to the file, for a live <c>tensorboard --logdir</c> to read.</summary>
    public void Flush()
    {
        lock (gate) stream?.Flush();
    }

    /// <summary>
    /// Rewrites the file with the complete events of steps up to <paramref name="lastStep"/> only (and the version
    /// event), dropping what a resumed run logs again and any record torn by a crash.
    /// </summary>
    public void KeepStepsUpTo(long lastStep)
    {
        lock (gate)
        {
            stream?.Dispose();
            stream = null;
            var kept = ReadEvents(Path).Where(e => e.WhatCase != Event.WhatOneofCase.Summary || e.Step <= lastStep).ToList();
            using (var rewritten = new FileStream(Path + ".tmp", FileMode.Create, FileAccess.Write))
            {
                foreach (var e in kept) WriteRecord(rewritten, e.ToByteArray());
            }

            File.Move(Path + ".tmp", Path, overwrite: true);
        }
    }

    /// <summary>The events of a file up to its first incomplete or corrupt record.</summary>
    public static IEnumerable<Event> ReadEvents(string path)
    {
        if (!File.Exists(path)) yield break;
        byte[] bytes = File.ReadAllBytes(path);
        int offset = 0;
        while (bytes.Length - offset >= HeaderBytes)
        {
            var header = bytes.AsSpan(offset, HeaderBytes);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) != MaskedCrc(header[..8])) yield break;
            if (length > (ulong)(bytes.Length - offset - HeaderBytes - FooterBytes)) yield break;
            var data = bytes.AsMemory(offset + HeaderBytes, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + HeaderBytes + (int)length)) != MaskedCrc(data.Span)) yield break;
            yield return Event.Parser.ParseFrom(data.Span);
            offset += HeaderBytes + (int)length + FooterBytes;
        }
    }

    /// <summary>Flushes and closes the file; a later <see cref="Add"/> opens it again.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            stream?.Dispose();
            stream = null;
        }
    }

    /// <summary>TFRecord's checksum: CRC-32C, rotated right by 15 bits plus a constant (CRCs of CRCs stay useful).</summary>
    internal static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);
        return uint.RotateRight(crc, 15) + 0xa282ead8;
    }

    private const int HeaderBytes = 12;
    private const int FooterBytes = 4;

    private void Write(Event e)
    {
        byte[] data = e.ToByteArray();
        lock (gate)
        {
            stream ??= new FileStream(Path, FileMode.Append, FileAccess.Write);
            WriteRecord(stream, data);
        }
    }

    private static void WriteRecord(Stream output, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        Span<byte> footer = stackalloc byte[FooterBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        output.Write(header);
        output.Write(data);
        output.Write(footer);
    }

    private static double WallTimeNow() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}
