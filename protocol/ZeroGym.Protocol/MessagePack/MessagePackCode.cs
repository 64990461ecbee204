namespace ZeroGym.Protocol.MessagePack;

/// <summary>The first byte of each MessagePack format, and how to name it in error messages.</summary>
internal static class MessagePackCode
{
    public const byte MaxPositiveFixInt = 0x7f;
    public const byte MinFixMap = 0x80;
    public const byte MinFixArray = 0x90;
    public const byte MinFixStr = 0xa0;
    public const byte Nil = 0xc0;
    public const byte NeverUsed = 0xc1;
    public const byte False = 0xc2;
    public const byte True = 0xc3;
    public const byte Bin8 = 0xc4;
    public const byte Bin16 = 0xc5;
    public const byte Bin32 = 0xc6;
    public const byte Ext8 = 0xc7;
    public const byte Ext16 = 0xc8;
    public const byte Ext32 = 0xc9;
    public const byte Float32 = 0xca;
    public const byte Float64 = 0xcb;
    public const byte UInt8 = 0xcc;
    public const byte UInt16 = 0xcd;
    public const byte UInt32 = 0xce;
    public const byte UInt64 = 0xcf;
    public const byte Int8 = 0xd0;
    public const byte Int16 = 0xd1;
    public const byte Int32 = 0xd2;
    public const byte Int64 = 0xd3;
    public const byte FixExt1 = 0xd4;
    public const byte FixExt2 = 0xd5;
    public const byte FixExt4 = 0xd6;
    public const byte FixExt8 = 0xd7;
    public const byte FixExt16 = 0xd8;
    public const byte Str8 = 0xd9;
    public const byte Str16 = 0xda;
    public const byte Str32 = 0xdb;
    public const byte Array16 = 0xdc;
    public const byte Array32 = 0xdd;
    public const byte Map16 = 0xde;
    public const byte Map32 = 0xdf;
    public const byte MinNegativeFixInt = 0xe0;

    public const int MaxFixMapCount = 15;
    public const int MaxFixArrayCount = 15;
    public const int MaxFixStrLength = 31;
    public const sbyte TimestampType = -1;

    // The spec's names for 0xc0..0xdf; the remaining codes are ranges handled in Name.
    private static readonly string[] NamesFromNil =
    [
        "nil", "the never-used code", "false", "true", "bin 8", "bin 16", "bin 32", "ext 8",
        "ext 16", "ext 32", "float 32", "float 64", "uint 8", "uint 16", "uint 32", "uint 64",
        "int 8", "int 16", "int 32", "int 64", "fixext 1", "fixext 2", "fixext 4", "fixext 8",
        "fixext 16", "str 8", "str 16", "str 32", "array 16", "array 32", "map 16", "map 32",
    ];

    /// <summary>The family of a format, or null for the never-used code 0xc1.</summary>
    public static MessagePackType? TypeOf(byte code) => code switch
    {
        <= MaxPositiveFixInt => MessagePackType.Integer,
        < MinFixArray => MessagePackType.Map,
        < MinFixStr => MessagePackType.Array,
        < Nil => MessagePackType.String,
        Nil => MessagePackType.Nil,
        NeverUsed => null,
        False or True => MessagePackType.Boolean,
        <= Bin32 => MessagePackType.Binary,
        <= Ext32 => MessagePackType.Extension,
        <= Float64 => MessagePackType.Float,
        <= Int64 => MessagePackType.Integer,
        <= FixExt16 => MessagePackType.Extension,
        <= Str32 => MessagePackType.String,
        <= Array32 => MessagePackType.Array,
        <= Map32 => MessagePackType.Map,
        _ => MessagePackType.Integer,
    };

    /// <summary>The format's name and byte for messages, e.g. <c>fixstr (0xa3)</c>.</summary>
    public static string Describe(byte code) => $"{Name(code)} (0x{code:x2})";

    private static string Name(byte code) => code switch
    {
        <= MaxPositiveFixInt => "positive fixint",
        < MinFixArray => "fixmap",
        < MinFixStr => "fixarray",
        < Nil => "fixstr",
        >= MinNegativeFixInt => "negative fixint",
        _ => NamesFromNil[code - Nil],
    };
}
