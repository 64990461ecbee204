namespace ZeroGym.Protocol.Messages;

/// <summary>A message type with its one declaration.</summary>
public interface IMessage<TSelf> where TSelf : class, IMessage<TSelf>, new()
{
    /// <summary>The declaration every read and write of this message goes through.</summary>
    static abstract MessageShape<TSelf> Shape { get; }
}

/// <summary>A request type: its declaration and the <c>op</c> it carries.</summary>
public interface IRequest<TSelf> : IMessage<TSelf> where TSelf : Request, IRequest<TSelf>, new()
{
    /// <summary>The request's <c>op</c> (SPEC.md §3).</summary>
    static abstract string Op { get; }
}

/// <summary>What every request carries (SPEC.md §3): the client's <c>id</c>, echoed in the reply; <c>op</c> is declared per type.</summary>
public abstract record Request
{
    /// <summary>Chosen by the client, echoed in the reply.</summary>
    public ulong Id { get; set; }

    /// <summary>The shape every request starts with: <c>id</c> and the fixed <c>op</c>.</summary>
    protected static MessageShape<T> Declare<T>(string op) where T : Request, new() =>
        new MessageShape<T>($"{op} request", static () => new T()).Unsigned("id", message => message.Id, (message, id) => message.Id = id).Constant("op", op);
}

/// <summary>A request about one env: <c>handle</c> is what <c>make</c> returned.</summary>
public abstract record HandleRequest : Request
{
    /// <summary>The env's handle.</summary>
    public long Handle { get; set; }

    /// <summary>The shape of a request that names an env: <c>id</c>, <c>op</c>, <c>handle</c>.</summary>
    protected static MessageShape<T> DeclareWithHandle<T>(string op) where T : HandleRequest, new() =>
        Declare<T>(op).Integer("handle", message => message.Handle, (message, handle) => message.Handle = handle);
}

/// <summary>What every successful reply carries: the request's <c>id</c>.</summary>
public abstract record Reply
{
    /// <summary>The id of the request this answers.</summary>
    public ulong Id { get; set; }

    /// <summary>The shape every reply starts with: <c>id</c>.</summary>
    protected static MessageShape<T> Declare<T>(string name) where T : Reply, new() =>
        new MessageShape<T>(name, static () => new T()).Unsigned("id", message => message.Id, (message, id) => message.Id = id);
}
