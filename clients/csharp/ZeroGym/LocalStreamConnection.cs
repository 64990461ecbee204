using System.Buffers.Binary;
using System.Net.Sockets;

namespace ZeroGym;

/// <summary>
/// The client side of the same-host stream (SPEC.md §1.1, protocol 1.4): a Unix stream socket on which every message
/// is a 4-byte little-endian length and the MessagePack payload a ZeroMQ frame would carry. The calling thread reads
/// and writes it itself, so a round trip wakes the server's loop and this thread only, not ZeroMQ's I/O threads.
/// </summary>
internal sealed class LocalStreamConnection : IDisposable
{
    private const int HeaderBytes = sizeof(uint);
    private const int ReadSize = 64 * 1024;

    private readonly Socket socket;
    private readonly TimeSpan sendTimeout;
    private byte[] buffer = new byte[4 * ReadSize];
    private byte[] outgoing = new byte[ReadSize];
    private int start;
    private int end;
    private bool ended;

    private LocalStreamConnection(Socket socket, TimeSpan sendTimeout)
    {
        this.socket = socket;
        this.sendTimeout = sendTimeout;
    }

    /// <summary>Connects to the socket at <paramref name="path"/>; null when it cannot be reached (another host's path, another user's folder).</summary>
    public static LocalStreamConnection? TryOpen(string path, TimeSpan sendTimeout)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            // Reads try first and wait only when nothing is there: pipelined replies are often waiting already.
            socket.Blocking = false;
            return new LocalStreamConnection(socket, sendTimeout);
        }
        catch (Exception error) when (error is SocketException or ArgumentException or IOException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>Whether the server closed the connection (it stopped): nothing more can be sent or received on it.</summary>
    public bool Ended => ended;

    /// <summary>The socket's file descriptor, to poll together with ZeroMQ sockets (<c>ZmqPoller.Poll</c>).</summary>
    public int Descriptor => (int)socket.Handle;

    /// <summary>Sends one message; false when the server did not take it in time or is gone (<see cref="Ended"/>).</summary>
    public bool TrySend(ReadOnlySpan<byte> payload)
    {
        if (ended) return false;
        // Header and payload in one write: a second write would be a second system call.
        int length = HeaderBytes + payload.Length;
        if (outgoing.Length < length) outgoing = new byte[Math.Max(length, 2 * outgoing.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(outgoing, (uint)payload.Length);
        payload.CopyTo(outgoing.AsSpan(HeaderBytes));
        return SendAll(outgoing.AsSpan(0, length));
    }

    /// <summary>
    /// The next message, waiting up to <paramref name="timeout"/>; false past it or when the server closed the
    /// connection. The memory is valid until the next call.
    /// </summary>
    public bool TryReceive(TimeSpan timeout, out ReadOnlyMemory<byte> frame)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            if (TryTake(out frame)) return true;
            if (ended) return false;
            MakeRoom();
            int received = socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                long remaining = deadline - Environment.TickCount64;
                if (remaining <= 0 || !socket.Poll(TimeSpan.FromMilliseconds(remaining), SelectMode.SelectRead)) return false;
                continue;
            }

            if (error != SocketError.Success || received == 0)
            {
                ended = true;
                continue;
            }

            end += received;
        }
    }

    private bool TryTake(out ReadOnlyMemory<byte> frame)
    {
        frame = default;
        if (end - start < HeaderBytes) return false;
        long length = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(start));
        if (end - start - HeaderBytes < length)
        {
            // Room for the whole message from its start.
            if (HeaderBytes + length > buffer.Length) Array.Resize(ref buffer, (int)Math.Max(2L * buffer.Length, HeaderBytes + length + ReadSize));
            return false;
        }

        frame = buffer.AsMemory(start + HeaderBytes, (int)length);
        start += HeaderBytes + (int)length;
        return true;
    }

    /// <summary>Unread bytes moved to the front when the buffer's tail is short: the message returned last is no longer needed.</summary>
    private void MakeRoom()
    {
        if (start == end)
        {
            start = end = 0;
            return;
        }

        if (buffer.Length - end >= ReadSize / 4) return;
        int unread = end - start;
        if (unread + ReadSize > buffer.Length) Array.Resize(ref buffer, 2 * buffer.Length);
        Buffer.BlockCopy(buffer, start, buffer, 0, unread);
        start = 0;
        end = unread;
    }

    private bool SendAll(ReadOnlySpan<byte> bytes)
    {
        long deadline = Environment.TickCount64 + (long)sendTimeout.TotalMilliseconds;
        while (!bytes.IsEmpty)
        {
            int sent = socket.Send(bytes, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                long remaining = deadline - Environment.TickCount64;
                if (remaining <= 0 || !socket.Poll(TimeSpan.FromMilliseconds(remaining), SelectMode.SelectWrite)) return false;
                continue;
            }

            if (error != SocketError.Success)
            {
                ended = true;
                return false;
            }

            bytes = bytes[sent..];
        }

        return true;
    }

    public void Dispose() => socket.Dispose();
}
