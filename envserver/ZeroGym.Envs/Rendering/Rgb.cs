namespace ZeroGym.Envs.Rendering;

/// <summary>A colour of a <see cref="Canvas"/> pixel, 8 bits per channel.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static readonly Rgb White = new(255, 255, 255);

    public static readonly Rgb Black = new(0, 0, 0);
}
