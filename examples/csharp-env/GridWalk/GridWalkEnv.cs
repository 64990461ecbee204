using ZeroGym;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;

namespace GridWalk;

/// <summary>
/// A walk on a square grid to its far corner.
///
/// <para><b>Description.</b> The walker starts on a random cell of a <c>size</c> × <c>size</c> grid (never the goal)
/// and moves one cell a step; walking into the edge leaves it where it is. The episode ends on the goal cell,
/// (size − 1, size − 1).</para>
/// <para><b>Action space.</b> <c>Discrete(4)</c>: 0 up (row − 1), 1 right (column + 1), 2 down (row + 1), 3 left (column − 1).</para>
/// <para><b>Observation space.</b> <c>Box(0, size − 1, (2,), int64)</c>: the walker's row and column.</para>
/// <para><b>Rewards.</b> 1 for the step that reaches the goal, 0 for every other.</para>
/// <para><b>Starting state.</b> Row and column drawn uniformly from the env's generator, again if they hit the goal.</para>
/// <para><b>Episode end.</b> Terminated on the goal; truncated after 100 steps (the spec's time limit).</para>
/// <para><b>Arguments.</b> <c>size</c> (default 5, at least 2); <c>render_mode="rgb_array"</c> draws 16 pixels a cell.</para>
/// </summary>
public sealed class GridWalkEnv : Env
{
    private const int CellPixels = 16;
    private static readonly Discrete Moves = new(4);
    private readonly int size;
    private readonly Box positions;
    private long row, column;

    public GridWalkEnv(int size, string? renderMode)
    {
        if (size < 2) throw new ArgumentOutOfRangeException(nameof(size), $"GridWalk needs size >= 2; got {size}");
        this.size = size;
        positions = new Box(0, size - 1, [2], DType.Int64);
        RenderMode = renderMode;
    }

    /// <summary>The spec the family registers: id, kwargs with their defaults, time limit, render modes.</summary>
    public static EnvSpec Spec { get; } = new(
        "GridWalk-v0",
        (kwargs, renderMode) => new GridWalkEnv((int)kwargs.GetInt("size"), renderMode),
        new Dictionary<string, object?> { ["size"] = 5L },
        MaxEpisodeSteps: 100,
        RewardThreshold: 1.0,
        RenderModes: ["rgb_array"],
        RenderFps: 8,
        Description: "A walk on a square grid to its far corner (examples/csharp-env)");

    public override Space ObservationSpace => positions;

    public override Space ActionSpace => Moves;

    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        base.Reset(seed, options);
        do
        {
            row = (long)Random.Uniform(0, size);
            column = (long)Random.Uniform(0, size);
        }
        while (AtGoal);

        return new ResetResult(Observation(), Info.Empty);
    }

    public override StepResult Step(object action)
    {
        switch ((long)action)
        {
            case 0: row = Math.Max(row - 1, 0); break;
            case 1: column = Math.Min(column + 1, size - 1); break;
            case 2: row = Math.Min(row + 1, size - 1); break;
            case 3: column = Math.Max(column - 1, 0); break;
            default: throw new ArgumentException($"GridWalk actions are 0 to 3; got {action}");
        }

        return new StepResult(Observation(), AtGoal ? 1.0 : 0.0, AtGoal, false, Info.Empty);
    }

    /// <summary>Grey grid, green goal, blue walker.</summary>
    public override NDArray Render()
    {
        int side = size * CellPixels;
        var pixels = new byte[side * side * 3];
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                long cellRow = y / CellPixels, cellColumn = x / CellPixels;
                bool line = y % CellPixels == 0 || x % CellPixels == 0;
                (byte r, byte g, byte b) = line ? ((byte)90, (byte)90, (byte)90)
                    : (cellRow, cellColumn) == (row, column) ? ((byte)40, (byte)90, (byte)220)
                    : cellRow == size - 1 && cellColumn == size - 1 ? ((byte)60, (byte)180, (byte)75)
                    : ((byte)235, (byte)235, (byte)235);
                int i = (y * side + x) * 3;
                (pixels[i], pixels[i + 1], pixels[i + 2]) = (r, g, b);
            }
        }

        return new NDArray(DType.UInt8, [side, side, 3], pixels);
    }

    private bool AtGoal => row == size - 1 && column == size - 1;

    private NDArray Observation() => NDArray.From([row, column], 2);
}
