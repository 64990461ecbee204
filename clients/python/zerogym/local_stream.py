"""The same-host stream transport (SPEC.md §1.1, protocol 1.4, capability ``local_stream``).

A server on this host may announce a Unix stream socket in its ``hello`` reply. Messages on it are the MessagePack
payloads of ZeroMQ's frames, each preceded by its length (4 bytes, little-endian). ZeroMQ hands every message to an
I/O thread on each side, so one round trip wakes six threads; on this socket the server's loop and the client's
thread talk directly and a round trip wakes two, which on a VM is most of its cost.

``LocalStream`` offers the few calls of ``zmq.Socket`` that ``Connection`` makes (``send``, ``recv`` with
``zmq.NOBLOCK``, ``poll``, ``close``) with the same meaning, timeouts included (``zmq.Again``), so the connection's
request, pipelining and timeout logic stays one piece of code.
"""

from __future__ import annotations

import select
import socket
import time

import zmq

HEADER_BYTES = 4
_CHUNK_BYTES = 1 << 18


class LocalStream:
    """A connected Unix stream socket to a ZeroGym server, framed as SPEC.md §1.1 says.

    Args:
        path: the socket's path, as the server's ``hello`` reply gave it (``local_stream``).
        timeout: seconds ``send`` and ``recv`` wait before raising ``zmq.Again``; None waits forever.

    Raises ``OSError`` when the socket cannot be reached (another host's path, another user's folder, a server gone).
    """

    def __init__(self, path: str, timeout: float | None):
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._socket.settimeout(timeout)
            self._socket.connect(path)
            # From now on waits go through poll, so that a read that would block returns at once.
            self._socket.setblocking(False)
        except BaseException:
            self._socket.close()
            raise
        self.path = path
        self._timeout_ms = None if timeout is None else max(1, round(timeout * 1000))
        self._poller = select.poll()
        self._poller.register(self._socket, select.POLLIN)
        self._received = bytearray()  # bytes read and not yet taken; frames start at self._start
        self._start = 0
        self._chunk = bytearray(_CHUNK_BYTES)
        self._ended = False  # the server closed the connection (it stopped or dropped us)

    @property
    def closed(self) -> bool:
        return self._socket.fileno() < 0

    def fileno(self) -> int:
        """The socket's descriptor, so that ``zmq.Poller`` and ``select`` can wait on it with ZeroMQ sockets."""
        return self._socket.fileno()

    @property
    def buffered(self) -> bool:
        """Whether a whole message was read already (its descriptor may be quiet)."""
        return self._has_frame()

    def ready(self) -> bool:
        """Whether a whole message can be received now, reading what arrived without waiting: a poller that saw the
        descriptor readable may have seen part of a message, and one buffered already makes the descriptor quiet."""
        return self._has_frame() or self._read()

    @property
    def ended(self) -> bool:
        """Whether the server closed the connection (it stopped, or dropped this client)."""
        return self._ended

    def send(self, data: bytes, flags: int = 0) -> None:
        """Sends one message; ``zmq.Again`` when the server takes none of it within the timeout or is gone (then the
        stream is closed: a message cut in two would garble every later one)."""
        if self._ended or self.closed:
            raise zmq.Again()
        view = memoryview(len(data).to_bytes(HEADER_BYTES, "little") + data)
        while view:
            try:
                view = view[self._socket.send(view):]
            except BlockingIOError:
                if not select.select([], [self._socket], [], None if self._timeout_ms is None
                                     else self._timeout_ms / 1000)[1]:
                    self.close()
                    raise zmq.Again() from None
            except OSError:
                self._ended = True
                self.close()
                raise zmq.Again() from None

    def recv(self, flags: int = 0) -> bytes:
        """The next message; ``zmq.Again`` when none comes within the timeout (at once with ``zmq.NOBLOCK``), or when
        the server closed the connection."""
        frame = self._take()
        if frame is not None:
            return frame
        if flags & zmq.NOBLOCK:
            self._read()
        else:
            self._wait(self._timeout_ms)
        frame = self._take()
        if frame is None:
            raise zmq.Again()
        return frame

    def poll(self, timeout: int | None = None, flags: int = zmq.POLLIN) -> int:
        """``zmq.POLLIN`` when a message can be received within ``timeout`` milliseconds (None: forever), else 0. An
        ended connection counts as readable: the ``recv`` that follows raises."""
        if self._has_frame() or self._ended:
            return zmq.POLLIN
        self._wait(timeout)
        return zmq.POLLIN if self._has_frame() or self._ended else 0

    def close(self, linger: int | None = None) -> None:
        self._socket.close()

    def _wait(self, timeout_ms: int | None) -> None:
        """Reads until a whole message is buffered, the connection ends, or ``timeout_ms`` passes."""
        deadline = None if timeout_ms is None else time.monotonic() + timeout_ms / 1000
        while not self._read() and not self._ended:
            remaining = None if deadline is None else max(0, round((deadline - time.monotonic()) * 1000))
            if not self._poller.poll(remaining) and remaining is not None:
                return

    def _read(self) -> bool:
        """Reads what the socket has without waiting; whether a whole message is buffered now."""
        if self._ended or self.closed:
            return self._has_frame()
        try:
            count = self._socket.recv_into(self._chunk)
        except BlockingIOError:
            return self._has_frame()
        except OSError:
            count = 0
        if count == 0:
            self._ended = True
            return self._has_frame()
        with memoryview(self._chunk) as chunk:
            self._received += chunk[:count]
        return self._has_frame()

    def _has_frame(self) -> bool:
        received, start = self._received, self._start
        if len(received) - start < HEADER_BYTES:
            return False
        return len(received) - start - HEADER_BYTES >= int.from_bytes(received[start:start + HEADER_BYTES], "little")

    def _take(self) -> bytes | None:
        if not self._has_frame():
            return None
        received, start = self._received, self._start
        end = start + HEADER_BYTES + int.from_bytes(received[start:start + HEADER_BYTES], "little")
        with memoryview(received) as view:
            frame = bytes(view[start + HEADER_BYTES:end])
        if end == len(received):
            received.clear()
            self._start = 0
        elif end > _CHUNK_BYTES:
            del received[:end]
            self._start = 0
        else:
            self._start = end
        return frame
