namespace ZeroGym.Envs.Nes;

/// <summary>
/// The joypad byte of nes-py (and its <c>JoypadSpace</c> button names): bit 7 Right, 6 Left, 5 Down, 4 Up,
/// 3 Start, 2 Select, 1 B, 0 A; and the action lists of gym-super-mario-bros.
/// </summary>
public static class NesButtons
{
    public const byte Right = 0b1000_0000;
    public const byte Left = 0b0100_0000;
    public const byte Down = 0b0010_0000;
    public const byte Up = 0b0001_0000;
    public const byte Start = 0b0000_1000;
    public const byte Select = 0b0000_0100;
    public const byte B = 0b0000_0010;
    public const byte A = 0b0000_0001;

    /// <summary>JoypadSpace's button names (case-sensitive, as nes-py spells them).</summary>
    public static readonly IReadOnlyDictionary<string, byte> ByName = new Dictionary<string, byte>(StringComparer.Ordinal)
    {
        ["right"] = Right, ["left"] = Left, ["down"] = Down, ["up"] = Up,
        ["start"] = Start, ["select"] = Select, ["B"] = B, ["A"] = A, ["NOOP"] = 0,
    };

    /// <summary>gym_super_mario_bros.actions: RIGHT_ONLY, SIMPLE_MOVEMENT, COMPLEX_MOVEMENT.</summary>
    public static readonly IReadOnlyDictionary<string, string[][]> MarioActionSets = new Dictionary<string, string[][]>(StringComparer.Ordinal)
    {
        ["right_only"] = [["NOOP"], ["right"], ["right", "A"], ["right", "B"], ["right", "A", "B"]],
        ["simple"] = [["NOOP"], ["right"], ["right", "A"], ["right", "B"], ["right", "A", "B"], ["A"], ["left"]],
        ["complex"] =
        [
            ["NOOP"], ["right"], ["right", "A"], ["right", "B"], ["right", "A", "B"], ["A"], ["left"],
            ["left", "A"], ["left", "B"], ["left", "A", "B"], ["down"], ["up"],
        ],
    };

    /// <summary>
    /// The joypad bytes of a discrete action space, as JoypadSpace builds them: <paramref name="actions"/> is
    /// the name of a set above or a list whose entries are lists of button names (or one name).
    /// Bad input throws <see cref="ArgumentException"/> naming what is accepted.
    /// </summary>
    public static byte[] ParseActions(string envId, object? actions)
    {
        IReadOnlyList<object?> combinations = actions switch
        {
            string name when MarioActionSets.TryGetValue(name, out var set) => set,
            string name => throw new ArgumentException(
                $"{envId}: actions must be one of {string.Join(", ", MarioActionSets.Keys)} or a list of button lists; got '{name}'"),
            IReadOnlyList<object?> list when list.Count > 0 => list,
            _ => throw new ArgumentException($"{envId}: actions must be a set name or a non-empty list of button lists"),
        };

        var bytes = new byte[combinations.Count];
        for (int i = 0; i < combinations.Count; i++)
        {
            IEnumerable<object?> buttons = combinations[i] switch
            {
                string single => [single],
                IReadOnlyList<object?> many => many,
                var other => throw new ArgumentException(
                    $"{envId}: action {i} must be a list of button names; got {other?.GetType().Name ?? "null"}"),
            };
            foreach (var button in buttons)
            {
                if (button is not string name || !ByName.TryGetValue(name, out byte bit))
                {
                    throw new ArgumentException(
                        $"{envId}: action {i} has an unknown button {(button is string text ? $"'{text}'" : button?.GetType().Name ?? "null")}; buttons are {string.Join(", ", ByName.Keys)}");
                }

                bytes[i] |= bit;
            }
        }

        return bytes;
    }
}
