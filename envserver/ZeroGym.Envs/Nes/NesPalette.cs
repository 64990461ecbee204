namespace ZeroGym.Envs.Nes;

/// <summary>
/// The 64 NES colours as nes-py 8.2.1 (LaiNES) shows them, so frames match what gym-super-mario-bros users trained
/// on; Nestopia's own palette differs (its sky is 146,144,255 against 104,136,252 here).
/// </summary>
public static class NesPalette
{
    /// <summary>Nestopia's core option that selects a palette, and the value that reads <see cref="CustomFileName"/>.</summary>
    public const string CoreOption = "nestopia_palette";
    public const string CoreOptionCustom = "custom";

    /// <summary>The file Nestopia reads from its system directory when the palette option is "custom".</summary>
    public const string CustomFileName = "custom.pal";

    // 0xRRGGBB for colours 0x00..0x3F.
    private static readonly uint[] NesPyColours =
    [
        0x7C7C7C, 0x0000FC, 0x0000BC, 0x4428BC, 0x940084, 0xA80020, 0xA81000, 0x881400,
        0x503000, 0x007800, 0x006800, 0x005800, 0x004058, 0x000000, 0x000000, 0x000000,
        0xBCBCBC, 0x0078F8, 0x0058F8, 0x6844FC, 0xD800CC, 0xE40058, 0xF83800, 0xE45C10,
        0xAC7C00, 0x00B800, 0x00A800, 0x00A844, 0x008888, 0x000000, 0x000000, 0x000000,
        0xF8F8F8, 0x3CBCFC, 0x6888FC, 0x9878F8, 0xF878F8, 0xF85898, 0xF87858, 0xFCA044,
        0xF8B800, 0xB8F818, 0x58D854, 0x58F898, 0x00E8D8, 0x787878, 0x000000, 0x000000,
        0xFCFCFC, 0xA4E4FC, 0xB8B8F8, 0xD8B8F8, 0xF8B8F8, 0xF8A4C0, 0xF0D0B0, 0xFCE0A8,
        0xF8D878, 0xD8F878, 0xB8F8B8, 0xB8F8D8, 0x00FCFC, 0xF8D8F8, 0x000000, 0x000000,
    ];

    /// <summary>The colour of palette index <paramref name="index"/> (0..63) as (R, G, B).</summary>
    public static (byte R, byte G, byte B) NesPy(int index)
    {
        uint colour = NesPyColours[index];
        return ((byte)(colour >> 16), (byte)(colour >> 8), (byte)colour);
    }

    /// <summary>nes-py's palette as a Nestopia <c>custom.pal</c>: 64 entries of R, G, B bytes.</summary>
    public static byte[] NesPyCustomPal()
    {
        var file = new byte[NesPyColours.Length * 3];
        for (int i = 0; i < NesPyColours.Length; i++)
        {
            (file[3 * i], file[3 * i + 1], file[3 * i + 2]) = NesPy(i);
        }

        return file;
    }
}
