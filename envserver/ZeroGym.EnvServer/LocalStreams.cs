using System.Buffers.Binary;
using System.Net.Sockets;
using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.EnvServer;

/// <summary>
/// The same-host stream transport (SPEC.md §1.1, protocol 1.4, capability <c>local_stream</c>): a Unix stream socket in
/// a private folder, on which every message is a 4-byte little-endian length followed by the MessagePack payload.
/// </summary>
/// <remarks>
/// ZeroMQ hands each message to an I/O thread on each side, so one round trip wakes six threads; here the server's loop
/// thread reads and writes the clients' sockets itself (polled with the ROUTER in one <c>zmq_poll</c>), so it wakes two.
/// On a VM where a wake-up costs tens of microseconds that is most of a round trip. Each connection is one client, as a
/// DEALER is: its id is <see cref="ClientIdPrefix"/> and a number, which no ROUTER identity (hex) can equal.
/// </remarks>
internal sealed class LocalStreams : IDisposable
{
    /// <summary>What every client id of this transport starts with.</summary>
    public const string ClientIdPrefix = "local-";

    private const int HeaderBytes = sizeof(uint);
    // At most this many requests of one connection per turn, so every client is served in turn (as ZeroMQ's fair queueing).
    private const int RequestsPerTurn = 64;

    private readonly Socket listener;
    private readonly DirectoryInfo folder;
    private readonly long maxFrameBytes;
    private readonly int maxQueuedReplies;
    private readonly ServerLog log;
    private readonly List<Connection> connections = [];
    private readonly Dictionary<string, Connection> byClient = new(StringComparer.Ordinal);
    private byte[] scratch = new byte[64 * 1024];
    private long accepted;

    /// <param name="maxFrameBytes">A message longer than this closes its connection (ZeroMQ's hard limit, 4 × max_message_bytes).</param>
    /// <param name="maxQueuedReplies">Replies a client may leave unread before more are dropped (ZeroMQ's send high-water mark).</param>
    /// <param name="log">Where refused connections are logged.</param>
    public LocalStreams(long maxFrameBytes, int maxQueuedReplies, ServerLog log)
    {
        this.maxFrameBytes = maxFrameBytes;
        this.maxQueuedReplies = maxQueuedReplies;
        this.log = log;
        // Created with mode 0700: only this user (as for an ipc:// endpoint in a private folder) can connect.
        folder = Directory.CreateTempSubdirectory("zerogym-stream-");
        Path = System.IO.Path.Combine(folder.FullName, "stream.sock");
        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(Path));
            listener.Listen(64);
            listener.Blocking = false;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The Unix socket's path, announced in the <c>hello</c> reply as <c>local_stream</c>.</summary>
    public string Path { get; }

    /// <summary>Whether <paramref name="clientId"/> is a client of this transport.</summary>
    public static bool IsLocalClient(string clientId) => clientId.StartsWith(ClientIdPrefix, StringComparison.Ordinal);

    /// <summary>How many descriptors <see cref="Describe"/> fills: the listener and each connection.</summary>
    public int DescriptorCount => 1 + connections.Count;

    /// <summary>The descriptors to poll, listener first: readable for requests, writable where replies wait to go out.</summary>
    public void Describe(Span<FileDescriptorPoll> descriptors)
    {
        descriptors[0] = new FileDescriptorPoll((int)listener.Handle, WantWrite: false);
        for (int i = 0; i < connections.Count; i++)
        {
            descriptors[1 + i] = new FileDescriptorPoll((int)connections[i].Socket.Handle, connections[i].Unsent.Count > 0);
        }
    }

    /// <summary>
    /// Accepts new connections, writes out queued replies, and serves the requests that came in on the descriptors a
    /// poll found ready (as <see cref="Describe"/> listed them); <paramref name="handle"/> answers one request
    /// (an empty reply is held back by the handler and sent later with <see cref="Send"/>).
    /// </summary>
    /// <returns>Whether a request was served.</returns>
    public bool Serve(ReadOnlySpan<FileDescriptorPoll> polled, Func<string, ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> handle)
    {
        bool served = false;
        // Backwards, so that a connection closed on the way shifts only those already served; new ones come after.
        for (int i = Math.Min(connections.Count, polled.Length - 1) - 1; i >= 0; i--)
        {
            var connection = connections[i];
            if (polled[1 + i].Writable) Flush(connection);
            if (polled[1 + i].Readable && byClient.ContainsKey(connection.ClientId)) served |= Read(connection, handle);
        }

        if (polled[0].Readable) Accept();
        return served;
    }

    /// <summary>Sends <paramref name="reply"/> to the client, or says why it could not.</summary>
    /// <returns>Null when sent (or queued to go out as the client reads), else why it was dropped.</returns>
    public string? Send(string clientId, ReadOnlySpan<byte> reply)
    {
        if (!byClient.TryGetValue(clientId, out var connection)) return "the client disconnected before its reply";
        int length = HeaderBytes + reply.Length;
        if (connection.Unsent.Count > 0)
        {
            if (connection.Unsent.Count >= maxQueuedReplies) return "the client's queue is full: it is not reading its replies";
            connection.Unsent.Enqueue(Framed(reply));
            return null;
        }

        // One write of header and payload together: a second write would be a second system call.
        if (scratch.Length < length) scratch = new byte[Math.Max(length, 2 * scratch.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(scratch, (uint)reply.Length);
        reply.CopyTo(scratch.AsSpan(HeaderBytes));
        int sent = TrySend(connection, scratch.AsSpan(0, length));
        if (sent < 0) return "the client disconnected before its reply";
        if (sent < length) connection.Unsent.Enqueue(scratch.AsSpan(sent, length - sent).ToArray());
        return null;
    }

    private bool Read(Connection connection, Func<string, ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> handle)
    {
        if (connection.Buffer.Length - connection.End < 4096) MakeRoom(connection, 4096);
        int received;
        try
        {
            received = connection.Socket.Receive(connection.Buffer.AsSpan(connection.End), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) return false;
            if (error != SocketError.Success) received = 0;
        }
        catch (ObjectDisposedException)
        {
            received = 0;
        }

        if (received == 0)
        {
            Close(connection);
            return false;
        }

        connection.End += received;
        bool served = false;
        for (int count = 0; count < RequestsPerTurn && connection.End - connection.Start >= HeaderBytes; count++)
        {
            long length = BinaryPrimitives.ReadUInt32LittleEndian(connection.Buffer.AsSpan(connection.Start));
            if (length > maxFrameBytes)
            {
                // As ZeroMQ drops a message above its limit together with the connection.
                log.Warn("local_stream_closed", ("client", connection.ClientId), ("reason", $"a message of {length} bytes; the limit is {maxFrameBytes}"));
                Close(connection);
                return served;
            }

            if (connection.End - connection.Start < HeaderBytes + length)
            {
                MakeRoom(connection, HeaderBytes + (int)length);
                break;
            }

            var payload = connection.Buffer.AsMemory(connection.Start + HeaderBytes, (int)length);
            connection.Start += HeaderBytes + (int)length;
            var reply = handle(connection.ClientId, payload);
            served = true;
            if (!reply.IsEmpty && Send(connection.ClientId, reply.Span) is { } dropped)
            {
                log.Warn("reply_dropped", ("client", connection.ClientId), ("reason", dropped));
            }

            if (!byClient.ContainsKey(connection.ClientId)) return served;
        }

        if (connection.Start == connection.End) connection.Start = connection.End = 0;
        return served;
    }

    /// <summary>Room in the buffer for a message of <paramref name="frameBytes"/> from its start: unread bytes moved to the front, the buffer grown if needed.</summary>
    private static void MakeRoom(Connection connection, int frameBytes)
    {
        int unread = connection.End - connection.Start;
        if (connection.Start + frameBytes <= connection.Buffer.Length && connection.Buffer.Length - connection.End >= 4096) return;
        var target = connection.Buffer.Length >= Math.Max(frameBytes, unread + 4096)
            ? connection.Buffer
            : new byte[Math.Max(2 * connection.Buffer.Length, frameBytes + 4096)];
        connection.Buffer.AsSpan(connection.Start, unread).CopyTo(target);
        connection.Buffer = target;
        connection.Start = 0;
        connection.End = unread;
    }

    private void Flush(Connection connection)
    {
        while (connection.Unsent.TryPeek(out var bytes))
        {
            int sent = TrySend(connection, bytes);
            if (sent < 0) return;
            if (sent < bytes.Length)
            {
                connection.Unsent.Dequeue();
                // The rest of this message goes first next time: a message is never interleaved with another.
                var rest = new Queue<byte[]>(connection.Unsent.Count + 1);
                rest.Enqueue(bytes[sent..]);
                foreach (var later in connection.Unsent) rest.Enqueue(later);
                connection.Unsent = rest;
                return;
            }

            connection.Unsent.Dequeue();
        }
    }

    /// <summary>Bytes written without blocking (possibly fewer than given), or -1 when the connection is gone (it is closed).</summary>
    private int TrySend(Connection connection, ReadOnlySpan<byte> bytes)
    {
        try
        {
            int sent = connection.Socket.Send(bytes, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) return 0;
            if (error == SocketError.Success) return sent;
        }
        catch (ObjectDisposedException)
        {
        }

        Close(connection);
        return -1;
    }

    private void Accept()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = listener.Accept();
            }
            catch (SocketException)
            {
                return; // nothing more waiting (EAGAIN), or a client that gave up meanwhile
            }

            socket.Blocking = false;
            var connection = new Connection(socket, $"{ClientIdPrefix}{++accepted}");
            connections.Add(connection);
            byClient.Add(connection.ClientId, connection);
        }
    }

    private void Close(Connection connection)
    {
        // Its envs stay until the idle timeout closes them, as for a DEALER that went away.
        if (connections.Remove(connection)) byClient.Remove(connection.ClientId);
        connection.Socket.Dispose();
    }

    public void Dispose()
    {
        foreach (var connection in connections.ToArray()) Close(connection);
        listener.Dispose();
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Already gone: nothing left behind.
        }
    }

    private static byte[] Framed(ReadOnlySpan<byte> reply)
    {
        var bytes = new byte[HeaderBytes + reply.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)reply.Length);
        reply.CopyTo(bytes.AsSpan(HeaderBytes));
        return bytes;
    }

    private sealed class Connection(Socket socket, string clientId)
    {
        public Socket Socket { get; } = socket;

        public string ClientId { get; } = clientId;

        /// <summary>Received bytes: those from <see cref="Start"/> to <see cref="End"/> are not yet served.</summary>
        public byte[] Buffer { get; set; } = new byte[64 * 1024];

        public int Start { get; set; }

        public int End { get; set; }

        /// <summary>Replies (or the rest of one) the socket could not take yet, in order.</summary>
        public Queue<byte[]> Unsent { get; set; } = new();
    }
}
