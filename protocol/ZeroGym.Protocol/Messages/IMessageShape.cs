namespace ZeroGym.Protocol.Messages;

/// <summary>A message declaration seen without its record type: its name and keys, for checks against SPEC.md.</summary>
public interface IMessageShape
{
    /// <summary>The message as people call it, e.g. "step request".</summary>
    string Name { get; }

    /// <summary>The declared keys, in the order they are written.</summary>
    IReadOnlyList<string> Keys { get; }

    /// <summary>The declarations of keys whose values are messages themselves (a make reply's <c>spec</c>).</summary>
    IReadOnlyDictionary<string, IMessageShape> NestedShapes { get; }
}
