"""One client connection to a ZeroGym server: a DEALER socket, the ``hello`` handshake and request/reply by id."""

from __future__ import annotations

import enum
import os
import time
from typing import Any, Final

import msgpack
import zmq

from zerogym.errors import ProtocolError, ServerTimeoutError, VersionMismatchError, ZeroGymError, error_from_reply
from zerogym.local_stream import LocalStream
from zerogym.security import CurveKeys
from zerogym.version import __version__
from zerogym.wire import encode_default

PROTOCOL_VERSION = 1
"""The version of SPEC.md this client speaks."""

DEFAULT_ADDRESS = "tcp://127.0.0.1:5555"
"""Where ``zerogym.make`` looks for the server unless told otherwise."""

class _Wait(enum.Enum):
    SOCKET_TIMEOUT = "the connection's own timeout"


SOCKET_TIMEOUT: Final = _Wait.SOCKET_TIMEOUT
"""For ``Connection.next_reply``: wait as long as the connection's ``timeout`` says."""

SPIN_MICROSECONDS = int(os.environ.get("ZEROGYM_SPIN_US", "0"))
"""How long to poll for a reply before blocking, unless a connection is given ``spin_us`` (``ZEROGYM_SPIN_US``; 0,
the default, always blocks). Waking a blocked thread costs tens of microseconds on virtual machines that halt idle
CPUs, and polling avoids it. The polling thread yields its CPU to any other thread that wants it between polls,
but it still keeps one CPU busy while it waits; on a busy machine that can make steps slower: measure first."""


LOCAL_STREAM = os.environ.get("ZEROGYM_LOCAL_STREAM", "1") != "0"
"""Whether connections to a server on this host move to the Unix stream socket it offers (SPEC.md §1.1) unless a
connection is told otherwise (``ZEROGYM_LOCAL_STREAM=0`` turns it off): the same messages, without ZeroMQ's I/O
threads, so each round trip wakes two threads instead of six."""

_LOCAL_PREFIXES = ("ipc://", "tcp://127.", "tcp://localhost:", "tcp://[::1]:")


class Connection:
    """A DEALER socket to one ZeroGym server, used by one env at a time (not thread-safe).

    ``hello`` is sent before the first request. Each request gets a fresh id and waits for the reply with that id;
    replies to earlier requests (left over from an interrupted call) are discarded. Replies are polled for during
    ``spin_us`` microseconds, then waited for. When no reply comes within ``timeout`` seconds the socket is closed and
    reopened, so a late reply cannot be taken for the next one, and ``ServerTimeoutError`` is raised. Envs made on
    the old socket are gone: the server ties envs to connections.

    When the server is on this host (an ``ipc://`` or loopback address) and its ``hello`` offers a local stream
    (SPEC.md §1.1), the connection moves there right after the handshake, before any env is made; without CURVE and
    heartbeats only, which are ZeroMQ's. A server that stops makes a request on the stream fail at once rather than
    after ``timeout``.

    Args:
        address: the server's endpoint, ``tcp://HOST:PORT`` or ``ipc://PATH``.
        timeout: seconds to wait for each reply, or None to wait forever.
        curve: CURVE keys for an encrypted, authenticated connection (``zerogym.security.curve_keys``), or None.
        spin_us: microseconds to poll for each reply before blocking; None takes ``SPIN_MICROSECONDS``.
        heartbeat: seconds between ZeroMQ heartbeats (ZMTP PING); a server that answers none for three of them is
            disconnected. None sends none (a dead server is then noticed only by ``timeout``). A connection that
            moves to the local stream keeps its ZeroMQ socket connected for the heartbeats alone (``watched``).
        local_stream: whether to move to the server's local stream when it offers one; None takes ``LOCAL_STREAM``.
    """

    def __init__(self, address: str, timeout: float | None, curve: CurveKeys | None = None,
                 spin_us: int | None = None, heartbeat: float | None = None, local_stream: bool | None = None):
        if spin_us is not None and (type(spin_us) is not int or spin_us < 0):
            raise ValueError(f"spin_us must be a non-negative int (microseconds) or None; got {spin_us!r}")
        self.address = address
        self.timeout = timeout
        self.curve = curve
        self.spin_us = SPIN_MICROSECONDS if spin_us is None else spin_us
        self.heartbeat = heartbeat
        self.local_stream = (LOCAL_STREAM if local_stream is None else local_stream) and curve is None \
            and address.startswith(_LOCAL_PREFIXES)
        self.server: dict[str, Any] = {}
        """The server's ``hello`` reply: ``version``, ``capabilities``, ``max_message_bytes``, ``idle_timeout``."""
        self._packer = msgpack.Packer(default=encode_default)
        self._last_id = 0
        self._greeted = False
        self._socket: zmq.Socket | LocalStream | None = self._open_socket()
        self._heartbeats: zmq.Socket | None = None  # the ZeroMQ socket kept for its heartbeats once on the stream

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Sends ``message`` (a map with ``op``; its ``id`` is set here) and returns the reply.

        Raises the ``ZeroGymError`` subclass of an error reply, or ``ServerTimeoutError``.
        """
        if not self._greeted:
            self.hello()
        return self._exchange(message)

    def hello(self) -> dict[str, Any]:
        """The handshake: refuses a server that does not speak this client's protocol version."""
        reply = self._exchange({"op": "hello", "protocol": PROTOCOL_VERSION, "client": f"zerogym-python/{__version__}"})
        if reply.get("protocol") != PROTOCOL_VERSION:
            raise VersionMismatchError(f"this client speaks ZeroGym protocol {PROTOCOL_VERSION}; the server at "
                                       f"{self.address} answered hello with protocol {reply.get('protocol')!r}")
        self.server = reply
        self._greeted = True
        if self.local_stream and "local_stream" in (reply.get("capabilities") or []) \
                and type(reply.get("local_stream")) is str:
            self._move_to_local_stream(reply["local_stream"])
        return reply

    @property
    def transport(self) -> str:
        """``"local_stream"`` once the connection moved to the server's Unix stream socket, else ``"zeromq"``."""
        return "local_stream" if isinstance(self._socket, LocalStream) else "zeromq"

    def _move_to_local_stream(self, path: str) -> None:
        """Says hello again on the server's local stream and keeps it in place of the ZeroMQ socket; stays on ZeroMQ
        when the stream cannot be reached or does not answer (another host's path, another user's folder)."""
        zeromq_socket = self._socket
        if not isinstance(zeromq_socket, zmq.Socket):
            return  # closed, or on the stream already
        try:
            stream = LocalStream(path, self.timeout)
        except OSError:
            return
        try:
            self._last_id += 1
            stream.send(self._packer.pack({"op": "hello", "id": self._last_id, "protocol": PROTOCOL_VERSION,
                                           "client": f"zerogym-python/{__version__}"}))
            reply = _unpack(stream.recv())
            if reply.get("id") != self._last_id or reply.get("protocol") != PROTOCOL_VERSION or "error" in reply:
                raise ProtocolError(f"the local stream {path} answered hello with {reply!r}")
        except (zmq.Again, ProtocolError):
            stream.close()
            return
        if self.heartbeat is None:
            zeromq_socket.close(linger=0)
        else:
            # The stream has no heartbeats: ZeroMQ's, answered by the server's I/O thread, still tell a frozen server.
            self._heartbeats = zeromq_socket
        self._socket = stream
        self.server = reply

    def require(self, capability: str, purpose: str) -> None:
        """Raises unless the server offered ``capability`` in its hello (SPEC.md §3: never rely on an absent one)."""
        if not self._greeted:
            self.hello()
        offered = self.server.get("capabilities") or []
        if capability not in offered:
            raise ZeroGymError("unsupported", f"{purpose} needs the server capability '{capability}'; the server at "
                                              f"{self.address} offers {offered}")

    def post(self, message: dict[str, Any]) -> int:
        """Sends ``message`` without waiting for its reply (pipelining, SPEC.md §1) and returns the id it was given.

        Replies come back in the order of the requests; ``next_reply`` reads them. A server that takes no request for
        ``timeout`` seconds (it holds ``--max-outstanding-requests`` of this client's) raises ``ServerTimeoutError``,
        and nothing was sent.
        """
        if not self._greeted:
            self.hello()
        socket = self._socket
        if socket is None:
            raise self._closed_error()
        request_id = self._last_id + 1
        message["id"] = request_id
        try:
            socket.send(self._packer.pack(message))
        except zmq.Again:
            raise ServerTimeoutError(self.address, str(message.get("op")), self.timeout, encrypted=self.curve is not None,
                                     pending=False, closed_by_server=_ended(socket)) from None
        self._last_id = request_id
        return request_id

    def next_reply(self, op: str, timeout: float | None | _Wait = SOCKET_TIMEOUT) -> dict[str, Any]:
        """The next reply on the socket, error replies included, for a request posted with ``post``.

        ``timeout`` is in seconds (None: forever); ``SOCKET_TIMEOUT`` is the connection's own. Past it,
        ``ServerTimeoutError`` names ``op``, and the socket is kept: the reply may still come, and the next call reads it.
        """
        socket = self._socket
        if socket is None:
            raise self._closed_error()
        try:
            if timeout is SOCKET_TIMEOUT or timeout == self.timeout:
                frame = _receive(socket, self.spin_us)
            else:
                frame = _receive_within(socket, self.spin_us, timeout)
        except zmq.Again:
            waited = self.timeout if timeout is SOCKET_TIMEOUT else timeout
            raise ServerTimeoutError(self.address, op, waited, encrypted=self.curve is not None, pending=True,
                                     closed_by_server=_ended(socket)) from None
        return _unpack(frame)

    @property
    def last_request_id(self) -> int:
        """The id of the last request sent (0 before the first): it changes whenever a request goes out."""
        return self._last_id

    def close(self) -> None:
        """Closes the socket at once (pending messages are dropped); closing twice is allowed."""
        if self._socket is not None:
            self._socket.close(linger=0)
            self._socket = None
        self._close_heartbeats()

    @property
    def socket(self) -> zmq.Socket | LocalStream | None:
        """The DEALER socket (None once closed), for polling several connections at once; the ``LocalStream`` once
        the connection moved there."""
        return self._socket

    @property
    def watched(self) -> zmq.Socket | None:
        """The ZeroMQ socket whose connection to the server can be monitored (its loss: the server stopped, or missed
        the heartbeats): the DEALER socket, or the one kept for heartbeats once on the stream. None once closed."""
        return self._heartbeats if self._heartbeats is not None else \
            self._socket if isinstance(self._socket, zmq.Socket) else None

    @property
    def closed(self) -> bool:
        return self._socket is None

    def _closed_error(self) -> ZeroGymError:
        return ZeroGymError("closed", f"the connection to {self.address} is closed; make a new env")

    def _exchange(self, message: dict[str, Any]) -> dict[str, Any]:
        socket = self._socket
        if socket is None:
            raise self._closed_error()
        self._last_id = request_id = self._last_id + 1
        message["id"] = request_id
        try:
            socket.send(self._packer.pack(message))
            while True:
                reply = _unpack(_receive(socket, self.spin_us))
                reply_id = reply.get("id")
                # Only an error about a request the server could not read has no id: that request was ours.
                if reply_id == request_id or (reply_id is None and "error" in reply):
                    break
        except zmq.Again:
            closed_by_server = _ended(socket)
            socket.close(linger=0)
            self._close_heartbeats()
            self._socket = self._open_socket()
            self._greeted = False
            raise ServerTimeoutError(self.address, str(message.get("op")), self.timeout,
                                     encrypted=self.curve is not None, closed_by_server=closed_by_server) from None
        error = reply.get("error")
        if error is not None:
            raise error_from_reply(error)
        return reply

    def _close_heartbeats(self) -> None:
        if self._heartbeats is not None:
            self._heartbeats.close(linger=0)
            self._heartbeats = None

    def _open_socket(self) -> zmq.Socket:
        socket = zmq.Context.instance().socket(zmq.DEALER)
        socket.setsockopt(zmq.LINGER, 0)
        if self.timeout is not None:
            milliseconds = max(1, round(self.timeout * 1000))
            socket.setsockopt(zmq.RCVTIMEO, milliseconds)
            socket.setsockopt(zmq.SNDTIMEO, milliseconds)
        if self.curve is not None:
            self.curve.apply(socket)
        if self.heartbeat is not None:
            # ZeroMQ's I/O thread answers pings even while the server's loop is busy: only a dead or frozen process
            # (or a lost host) misses them.
            interval = max(1, round(self.heartbeat * 1000))
            socket.setsockopt(zmq.HEARTBEAT_IVL, interval)
            socket.setsockopt(zmq.HEARTBEAT_TIMEOUT, 3 * interval)
            socket.setsockopt(zmq.HEARTBEAT_TTL, 10 * interval)
        socket.connect(self.address)
        return socket


def _receive(socket: zmq.Socket | LocalStream, spin_us: int) -> bytes:
    """The next frame: polled for during ``spin_us``, then waited for (up to the socket's receive timeout)."""
    if spin_us > 0:
        frame = _spin(socket, spin_us)
        if frame is not None:
            return frame
    return socket.recv()


def _receive_within(socket: zmq.Socket | LocalStream, spin_us: int, timeout: float | None) -> bytes:
    """As ``_receive``, but waiting up to ``timeout`` seconds (None: forever) rather than the socket's receive timeout;
    ``zmq.Again`` past it."""
    if spin_us > 0:
        frame = _spin(socket, spin_us)
        if frame is not None:
            return frame
    if socket.poll(None if timeout is None else max(0, round(timeout * 1000)), zmq.POLLIN):
        return socket.recv(zmq.NOBLOCK)
    raise zmq.Again()


def _spin(socket: zmq.Socket | LocalStream, spin_us: int) -> bytes | None:
    """The next frame if one comes within ``spin_us`` of polling (yielding the CPU between polls), else None."""
    clock = time.perf_counter_ns
    deadline = clock() + spin_us * 1000
    while clock() < deadline:
        try:
            return socket.recv(zmq.NOBLOCK)
        except zmq.Again:
            os.sched_yield()
    return None


def _unpack(frame: bytes) -> dict[str, Any]:
    try:
        reply = msgpack.unpackb(frame)
    except (ValueError, msgpack.UnpackException) as error:
        raise ProtocolError(f"expected a MessagePack map as the reply; could not read {len(frame)} bytes: "
                            f"{error}") from None
    if type(reply) is not dict:
        raise ProtocolError(f"expected a MessagePack map as the reply; got {type(reply).__name__}")
    return reply


def _ended(socket: zmq.Socket | LocalStream) -> bool:
    """Whether ``socket`` is a same-host stream the server closed: a request on it fails at once, not by timing out."""
    return isinstance(socket, LocalStream) and socket.ended
