using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using ZeroGym.Agents.Common;
using ZeroGym.Agents.TensorBoard;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// A run's TensorBoard event file, read back with a reader written here from the format's description (TFRecord
/// framing: uint64 length, masked CRC-32C of it, data, masked CRC-32C of the data; each record an Event) and compared
/// with the run's CSV files.
/// </summary>
public sealed class TensorBoardTests
{
    private static TrainOptions Options(string runDir, bool resume = false) =>
        new("dqn", "CartPole-v1", Server: "tcp://127.0.0.1:5555", NumEnvs: 1, TotalSteps: 1000, Seed: 1, runDir, "cpu", resume, EvalEvery: 100, EvalEpisodes: 5);

    // CRC-32C check values: "123456789" (the catalogue's check), and RFC 3720's (iSCSI) 32-byte vectors.
    [Theory]
    [InlineData("313233343536373839", 0xE3069283u)]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", 0x8A9136AAu)]
    [InlineData("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", 0x62A8AB43u)]
    [InlineData("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", 0x46DD794Eu)]
    public void Crc32C_GivesTheKnownCheckValues(string hex, uint expected)
    {
        Assert.Equal(expected, Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, Convert.FromHexString(hex)));
    }

    [Fact]
    public void EventFile_HoldsTheCsvFiguresUnderCleanRlsTags()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using (var run = Run.Start(Options(runDir), new RunTests.ExampleOptions(), TextWriter.Null))
        {
            run.LogEpisode(10, 12.5, 10);
            run.LogLosses(10, new Dictionary<string, double> { ["td_loss"] = 0.25, ["learning_rate"] = 1e-3 });
            run.LogEpisode(25, 15, 15);
            run.LogEvaluation(25, [20, 30]);
            run.LogLosses(30, new Dictionary<string, double> { ["td_loss"] = 0.125, ["learning_rate"] = 5e-4 });
        }

        string file = Assert.Single(Directory.GetFiles(runDir, "events.out.tfevents.*"));
        Assert.Matches(@"^events\.out\.tfevents\.\d{10}\.\S+$", Path.GetFileName(file));
        var events = ReadRecords(file).Select(Event.Parser.ParseFrom).ToList();
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.All(events, e => Assert.InRange(e.WallTime, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1));

        var scalars = Scalars(events);
        Assert.Equal(
            [
                (10L, "charts/episodic_return", 12.5f), (10L, "charts/episodic_length", 10f),
                (10L, "losses/td_loss", 0.25f), (10L, "charts/learning_rate", 1e-3f),
                (25L, "charts/episodic_return", 15f), (25L, "charts/episodic_length", 15f),
                (25L, "eval/mean_return", 25f),
                (30L, "losses/td_loss", 0.125f), (30L, "charts/learning_rate", 5e-4f),
            ],
            scalars.Where(s => s.Tag != "charts/SPS"));
        // The CSV files say the same.
        var metrics = CsvRows(Path.Combine(runDir, "metrics.csv"));
        Assert.Equal(metrics.Select(row => ((long)row[0], "charts/episodic_return", (float)row[2])), scalars.Where(s => s.Tag == "charts/episodic_return"));
        var losses = CsvRows(Path.Combine(runDir, "losses.csv"));
        Assert.Equal(losses.Select(row => ((long)row[0], "losses/td_loss", (float)row[1])), scalars.Where(s => s.Tag == "losses/td_loss"));
    }

    [Fact]
    public void ResumedRun_AppendsToTheSameFile_WithoutTheStepsItLogsAgainOrATornRecord()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using (var run = Run.Start(Options(runDir), new RunTests.ExampleOptions(), TextWriter.Null))
        {
            foreach (long step in new long[] { 10, 20, 30 })
            {
                run.LogEpisode(step, step, 10);
                if (step == 20) run.SaveCheckpoint(step, checkpoint => File.WriteAllText(Path.Combine(checkpoint, "state.json"), "{}"));
            }
        }

        string file = Assert.Single(Directory.GetFiles(runDir, "events.out.tfevents.*"));
        // A crash in the middle of a record: its length announces more bytes than follow.
        using (var torn = new FileStream(file, FileMode.Append)) torn.Write([0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2]);

        // Resuming from the checkpoint at step 20 drops what was logged after it; the run logs step 30 again.
        using (var run = Run.Start(Options(runDir, resume: true), new RunTests.ExampleOptions(), TextWriter.Null))
        {
            run.LogEpisode(30, 99, 10);
        }

        Assert.Equal(file, Assert.Single(Directory.GetFiles(runDir, "events.out.tfevents.*")));
        var events = ReadRecords(file).Select(Event.Parser.ParseFrom).ToList();
        Assert.Equal(1, events.Count(e => e.FileVersion == "brain.Event:2"));
        Assert.Equal(
            [(10L, "charts/episodic_return", 10f), (20L, "charts/episodic_return", 20f), (30L, "charts/episodic_return", 99f)],
            Scalars(events).Where(s => s.Tag == "charts/episodic_return"));
    }

    [Fact]
    public void EventFile_ReachesTheDiskWhileTheRunGoes()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using var run = Run.Start(Options(runDir), new RunTests.ExampleOptions(), TextWriter.Null);
        run.LogEpisode(10, 5, 10);

        run.LogEvaluation(10, [7]); // evaluations are rare and flush at once

        string file = Assert.Single(Directory.GetFiles(runDir, "events.out.tfevents.*"));
        using var reader = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var copy = new MemoryStream();
        reader.CopyTo(copy);
        string path = directory.Combine("copy");
        File.WriteAllBytes(path, copy.ToArray());
        Assert.Contains((10L, "eval/mean_return", 7f), Scalars(ReadRecords(path).Select(Event.Parser.ParseFrom).ToList()));
    }

    /// <summary>The data of every record, each checked against its CRCs; a trailing partial record fails the test.</summary>
    internal static List<byte[]> ReadRecords(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        int offset = 0;
        while (offset < bytes.Length)
        {
            Assert.True(bytes.Length - offset >= 16, $"a record of {path} at byte {offset} is cut short");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset));
            Assert.Equal(Masked(Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, bytes.AsSpan(offset, 8))), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)));
            byte[] data = bytes.AsSpan(offset + 12, checked((int)length)).ToArray();
            Assert.Equal(Masked(Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 12 + data.Length)));
            records.Add(data);
            offset += 16 + data.Length;
        }

        return records;
    }

    /// <summary>(step, tag, value) of every scalar, in file order.</summary>
    internal static List<(long Step, string Tag, float Value)> Scalars(IEnumerable<Event> events) =>
        events.Where(e => e.Summary is not null).SelectMany(e => e.Summary.Value.Select(v => (e.Step, v.Tag, v.SimpleValue))).ToList();

    // TFRecord's masking, as its description gives it: rotate right by 15 bits, add 0xa282ead8.
    private static uint Masked(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);

    private static List<double[]> CsvRows(string path) =>
        File.ReadAllLines(path).Skip(1).Select(line => line.Split(',').Select(field => double.Parse(field, CultureInfo.InvariantCulture)).ToArray()).ToList();
}
