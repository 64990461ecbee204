namespace ZeroGym.Protocol.MessagePack;

/// <summary>A value that knows how to write itself, so <see cref="MessagePackWriter.WriteValue"/> can embed it.</summary>
public interface IMessagePackWritable
{
    /// <summary>Writes exactly one MessagePack value (usually a map) to <paramref name="writer"/>.</summary>
    void WriteTo(MessagePackWriter writer);
}
