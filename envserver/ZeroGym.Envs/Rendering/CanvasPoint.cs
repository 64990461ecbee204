namespace ZeroGym.Envs.Rendering;

/// <summary>
/// A point on a <see cref="Canvas"/> in pixel units, x to the right and y downwards. As in pygame's <c>gfxdraw</c>,
/// whole numbers name pixel centres: pixel (col, row) is the unit square centred on (col, row).
/// </summary>
public readonly record struct CanvasPoint(double X, double Y);
