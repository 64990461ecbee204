namespace ZeroGym.Envs.Nes;

/// <summary>What the NES family needs from the program that serves it.</summary>
/// <param name="RomDirectory">Where the user's ROMs are (the server's <c>--rom-dir</c>); null reads
/// <c>ZEROGYM_ROM_DIR</c> each time an env is made (see <see cref="Nes.RomDirectory"/>).</param>
public sealed record NesConfiguration(string? RomDirectory = null);
