namespace ZeroGym.Protocol.MessagePack;

/// <summary>The families of MessagePack formats, as <see cref="MessagePackReader.PeekType"/> reports them.</summary>
public enum MessagePackType
{
    Nil,
    Boolean,
    Integer,
    Float,
    String,
    Binary,
    Array,
    Map,
    Extension,
}
