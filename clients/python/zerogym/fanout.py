"""``ClusterVectorEnv``: one vector env whose sub-envs run on several nodes of a ZeroGym cluster (SPEC.md §3.5).

The cluster says where the sub-envs go (``place``); the client makes one vector env on each node named, talks to each
node directly, and stitches the results back into one vector env. Nothing per step goes through the cluster.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import zmq

from zerogym.batches import Chunk, joined_step_reply, take
from zerogym.cluster import place_on
from zerogym.compat import VectorEnv, batch_space
from zerogym.connection import Connection
from zerogym.errors import (
    InvalidArgumentError,
    NodeLostError,
    ServerTimeoutError,
    SubEnvError,
    ZeroGymError,
    error_from_reply,
)
from zerogym.local_stream import LocalStream
from zerogym.vector import ZeroGymVectorEnv, step_results_decoder

HEARTBEAT_S = 0.4
"""Seconds between ZeroMQ heartbeats to each node: a node that answers none for 3 of them (1.2 s) is lost, so a dead
node is noticed within about 2 s even when its host vanished without closing the connection (a killed process on a
live host closes it at once)."""

LOSS_CHECK_S = 0.05
"""While a call waits, the nodes' loss monitors are looked at every 50 ms, not in every poll: polled with the replies
they cost more CPU than the rest of a step's wait, and a loss found 50 ms later is well within the 2 s target."""

PLACEMENTS = ("spread", "pack", "local")
ON_NODE_LOST = ("raise", "recreate")

# A sub-env of the whole vector env (SPEC.md §3.4), as the client sees it.
IDLE, IN_FLIGHT, FAILED, LOST = 0, 1, 2, 3


class _Part:
    """The sub-envs one node runs, as one vector env on that node, and what the client posted to it."""

    def __init__(self, env: ZeroGymVectorEnv, ids: np.ndarray, num_envs: int):
        self.env = env
        self.connection = env._connection
        self.endpoint = self.connection.address
        self.ids = ids  # the global index of each of its sub-envs, in its order
        self.rows = _rows(ids)  # the same as a slice when they are consecutive (as placement makes them)
        self.local = np.full(num_envs, -1, np.int64)  # by global index: its index on this node, -1 when elsewhere
        self.local[ids] = np.arange(len(ids))
        # The node's ZeroMQ socket, or its Unix stream when it runs on this host (SPEC.md §1.1): fewer threads to wake.
        socket, watched = self.connection.socket, self.connection.watched
        assert socket is not None and watched is not None, "a part is made on an open connection"
        self.socket = socket
        # Whether a reply can be read now: a stream says itself whether a whole one is there (a poller may have seen a
        # part of one); a ZeroMQ socket is asked for its events.
        self.reply_waiting: Callable[[], bool]
        if isinstance(socket, LocalStream):
            self.reply_waiting = socket.ready
        else:
            zeromq_socket = socket
            self.reply_waiting = lambda: bool(cast(int, zeromq_socket.get(zmq.EVENTS)) & zmq.POLLIN)
        # ZeroMQ reports the connection's loss here: the TCP connection closed, or heartbeats went unanswered (kept
        # beside a stream for them). A lost connection is a lost node for this client, since a server ties envs to
        # connections (SPEC.md §1); a stream the node closed is one too.
        self.watched = watched
        self.monitor = watched.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        self.descriptor = -1  # its stream's, while watched
        self.posted: deque[int] = deque()  # requests whose replies are due, in request order
        self.in_flight = 0  # its sub-envs sent to (or reset by async_reset) and not yet received
        self.unanswered = 0  # recvs posted (alone or riding on a send) and not yet answered
        # After it was made to replace a lost node: its reset result, given (reward 0, flags false) to the next step
        # of each of its sub-envs instead of stepping it (next-step autoreset), and which sub-envs still have it due.
        self.reset_result: Any = None  # (obs, infos), set with reset_due
        self.reset_due: np.ndarray | None = None
        # Sub-envs that were not in flight when their node was lost: their next send gives the loss (truncated at
        # their last observation, node_lost), the one after it their reset, as for those in flight.
        self.loss_due: np.ndarray | None = None

    def post(self, request: dict[str, Any]) -> int:
        """Posts ``request`` to the node; returns its id. When the node closed its stream nothing goes out, and the id
        is one never answered: the wait that follows finds the node lost, as a ZeroMQ socket's monitor would."""
        try:
            return self.connection.post(request)
        except ServerTimeoutError:
            if not isinstance(self.socket, LocalStream) or not self.socket.ended:
                raise
            return self.connection.last_request_id + 1

    def stop_monitor(self) -> None:
        """Stops the loss monitor. libzmq's I/O thread sends each event with a blocking send, so an event due once the
        reading end is closed (the connection to a dropped node resetting a moment later) would block that thread, and
        every ZeroMQ connection of this process with it: the watched socket stops sending first."""
        if not self.watched.closed:
            self.watched.disable_monitor()
        self.monitor.close(linger=0)

    def drop(self) -> None:
        """Forgets the node without asking it anything: it is gone."""
        self.stop_monitor()
        self.connection.close()
        self.env.closed = True


class ClusterVectorEnv(VectorEnv):
    """``num_envs`` copies of an env over nodes of a cluster; made by ``zerogym.make_vec(..., placement=...)``.

    It has the calls of ``ZeroGymVectorEnv`` (Gymnasium's ``reset``/``step``, EnvPool's ``async_reset``/``send``/
    ``recv``, ``step_async``/``step_wait``) with the same semantics: sub-env i, whichever node runs it, gives exactly
    what a single env seeded ``seed + i`` gives; a step goes to every node at once and waits for all; ``recv``
    returns the first ``batch_size`` to finish, wherever they run (each node keeps a ``recv`` with ``min_batch`` 1
    waiting while it has sub-envs in flight, SPEC.md §3.4). ``nodes`` lists the endpoint of each sub-env.

    A node that stops answering is noticed within about 2 s (the connection's loss, or unanswered ZeroMQ heartbeats).
    With ``on_node_lost="raise"`` the call raises ``NodeLostError`` (its ``results`` hold the other sub-envs' results
    of the call); the lost sub-envs take no action until ``reset()``/``async_reset()`` makes them anew on live nodes.
    With ``"recreate"`` their sub-envs are made anew at once on live nodes (placed again without the lost node), the
    call returns them truncated at their last observation with ``infos["node_lost"]`` true, and their next step gives
    their reset observation (reward 0, flags false): reset with ``seed + i`` when the last ``reset``/``async_reset``
    had an int seed, unseeded otherwise.
    """

    def __init__(self, env_id: str, num_envs: int, *, address: str, placement: str, on_node_lost: str,
                 batch_size: int | None, timeout: float | None,
                 make_part: Callable[[str, int, float], ZeroGymVectorEnv],
                 connect: Callable[[str], Connection]):
        if placement not in PLACEMENTS:
            raise InvalidArgumentError(f"placement must be one of {list(PLACEMENTS)}; got {placement!r}")
        if on_node_lost not in ON_NODE_LOST:
            raise InvalidArgumentError(f"on_node_lost must be one of {list(ON_NODE_LOST)}; got {on_node_lost!r}")
        if type(num_envs) is not int or num_envs < 1:
            raise InvalidArgumentError(f"num_envs must be a positive int; got {num_envs!r}")
        if batch_size is not None and (type(batch_size) is not int or not 1 <= batch_size <= num_envs):
            raise InvalidArgumentError(f"batch_size must be an int between 1 and num_envs ({num_envs}); "
                                       f"got {batch_size!r}")
        self.closed = True
        self.env_id = env_id
        self.num_envs = num_envs
        self.batch_size: int = num_envs if batch_size is None else batch_size
        self.placement = placement
        self.on_node_lost = on_node_lost
        self.timeout = timeout
        self._make_part = make_part
        self._connect = connect
        self._address = address
        self._parts: list[_Part] = []
        self._in_order = False  # whether the parts hold sub-envs 0 to num_envs - 1 in order (_Part.rows slices)
        self._lost_nodes: list[str] = []
        # Every node's socket and loss monitor, watched by pollers kept as long as the parts are.
        self._replies = zmq.Poller()
        self._losses = zmq.Poller()
        self._watched: dict[zmq.Socket | LocalStream, _Part] = {}  # each node's socket and its monitor -> its part
        self._streams: dict[int, LocalStream] = {}  # by descriptor, as zmq.Poller reports them
        self._losses_checked = 0.0  # time.monotonic() of the last look at the monitors
        self.closed = False
        try:
            endpoints = self._place(num_envs, address, exclude=None)
            self._add_parts(endpoints, np.arange(num_envs, dtype=np.int64))
            first = self._parts[0].env
            self.single_observation_space = first.single_observation_space
            self.single_action_space = first.single_action_space
            self.observation_space = batch_space(self.single_observation_space, num_envs)
            self.action_space = batch_space(self.single_action_space, num_envs)
            self.metadata = dict(first.metadata)
            self.render_mode = first.render_mode
            self.spec = first.spec
        except BaseException:
            self.close()
            raise
        self._actions_are_array = first._actions_are_array
        self._step_results = step_results_decoder(self.observation_space, num_envs)
        self._states = np.zeros(num_envs, np.int8)
        # Every sub-env's last observation, for those a lost node truncates (overwritten by the first reset).
        self._last_obs: Any = _writable_copy(self.observation_space.sample())
        # Whether each sub-env's last observation reached the caller since the last reset (not so after async_reset).
        self._delivered = np.zeros(num_envs, bool)
        self._lost: list[tuple[str, list[int]]] = []  # raise mode: nodes lost and their sub-envs, until a reset
        self._reset_seed: int | None = None
        self._ready: deque[Chunk] = deque()  # results received from nodes, not yet returned by recv, oldest first
        self._ready_count = 0
        self._last_env_id: np.ndarray | None = None
        self._step_posted: dict[_Part, int] | None = None

    # ---- Gymnasium's VectorEnv ----

    @property
    def nodes(self) -> list[str]:
        """The endpoint of the node each sub-env runs on."""
        endpoints = [""] * self.num_envs
        for part in self._parts:
            for i in part.ids.tolist():
                endpoints[i] = part.endpoint
        return endpoints

    def reset(self, *, seed: int | list[int | None] | None = None,
              options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Resets every sub-env (an int ``seed`` s seeds sub-env i with s + i, a list each with its own), first making
        lost ones anew on live nodes. Work in flight is dropped."""
        seeds = self._seeds(seed)
        super().reset(seed=seed if isinstance(seed, int) else None)
        self._remake_lost()
        self._forget_async_work()
        results = []
        for part in self._parts:
            obs, info = part.env.reset(seed=None if seeds is None else [seeds[i] for i in part.ids.tolist()],
                                       options=options)
            part.reset_result = part.reset_due = None
            results.append((part, Chunk.of_reset(part.ids, obs, info)))
        merged = Chunk.merge([chunk for _, chunk in results], self.num_envs)
        self._last_obs = _writable_copy(merged.obs)
        self._delivered[:] = True
        return merged.obs, merged.info

    def step(self, actions: Any, env_id: Any = None) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Steps every sub-env, each node at once (``env_id``, ``batch_size < num_envs`` or work in flight: ``send``
        then ``recv``). Returns ``(obs, rewards, terminations, truncations, infos)`` in sub-env order."""
        if env_id is not None or self._busy():
            self.send(actions, env_id)
            return self.recv()
        self.step_async(actions)
        return self.step_wait()

    def step_async(self, actions: Any) -> None:
        """Gymnasium's ``AsyncVectorEnv.step_async``: the step of every sub-env goes to every node without waiting
        (``send`` when ``batch_size < num_envs`` or work is in flight)."""
        if self._busy():
            self.send(actions)
            return
        self._refuse_lost(self._all_ids())
        if self._actions_are_array and type(actions) is not np.ndarray:
            actions = np.asarray(actions)
        posted = {}
        for part in self._parts:
            if part.reset_due is not None:
                continue  # made anew after a loss: its next result is its reset, stepped nowhere
            request = part.env._step_request
            request["action"] = take(actions, part.rows)
            posted[part] = part.post(request)
            part.posted.append(posted[part])
        self._step_posted = posted
        self._states.fill(IN_FLIGHT)

    def step_wait(self, timeout: float | None = None) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray,
                                                                dict[str, Any]]:
        """Gymnasium's ``AsyncVectorEnv.step_wait``: the results of ``step_async`` (``recv``'s when it sent)."""
        posted = self._step_posted
        if posted is None:
            return self.recv(timeout)
        self._step_posted = None
        gathered, lost = self._gather(posted, timeout)
        replies = dict(gathered)
        if self._in_order and not lost and len(replies) == len(self._parts):
            # The usual step: the nodes' replies join into the one a single node running every sub-env would give, and
            # are decoded once (~50 µs less of the client's CPU a step over two nodes than decoding each and merging).
            parts = self._parts
            joined = joined_step_reply([replies[part] for part in parts], [len(part.ids) for part in parts])
            if joined is not None:
                results = self._step_results(joined)
                self._states.fill(IDLE)
                _assign(self._last_obs, slice(None), results[0])
                self._delivered.fill(True)
                return results
        stepped = [part for part in self._parts if part not in lost]  # not those remade for the lost ones below
        lost_chunks = self._lose(lost)
        self._states[self._states == IN_FLIGHT] = IDLE
        chunks = []
        for part in stepped:
            if part in replies:
                reply = replies[part]
                if "error" in reply:
                    raise error_from_reply(reply["error"])
                chunks.append(Chunk.of_step(part.ids, *part.env._step_results(reply)))
            elif part.reset_due is not None:
                chunks.append(Chunk.of_reset(part.ids, *part.reset_result))
                part.reset_result = part.reset_due = None
        chunks += lost_chunks
        merged = Chunk.merge(chunks, self.num_envs)
        _assign(self._last_obs, slice(None), merged.obs)  # merged holds every sub-env, in order
        self._delivered.fill(True)
        results = merged.results()
        self._raise_if_lost(lost, results)
        return results

    def render(self) -> tuple[np.ndarray, ...]:
        """One frame per sub-env, in sub-env order."""
        frames: list[Any] = [None] * self.num_envs
        for part in self._parts:
            for i, frame in zip(part.ids.tolist(), part.env.render()):
                frames[i] = frame
        return tuple(frames)

    def close_extras(self, **kwargs: Any) -> None:
        """Closes the sub-envs on every node."""
        for part in self._parts:
            self._unwatch(part)
            part.stop_monitor()
            try:
                part.env.close()
            except ZeroGymError:
                part.connection.close()
        self._parts = []

    def __enter__(self) -> ClusterVectorEnv:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # Dropped without close(): only the sockets are closed, quietly (the nodes close the envs when idle).
        for part in getattr(self, "_parts", []):
            part.stop_monitor()
            part.connection.close()

    # ---- EnvPool's asynchronous calls ----

    def async_reset(self, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None) -> None:
        """Resets every sub-env without waiting (seeds as ``reset``'s); ``recv()`` returns the reset observations."""
        seeds = self._seeds(seed)
        self._remake_lost()
        self._forget_async_work()
        for part in self._parts:
            part.connection.require("recv_min_batch", "an asynchronous vector env over several nodes")
            request: dict[str, Any] = {"op": "async_reset", "handle": part.env._remote.handle, "recv": True,
                                       "min_batch": 1, "seed": None if seeds is None else
                                       [seeds[i] for i in part.ids.tolist()]}
            if options is not None:
                request["options"] = options
            part.posted.append(part.post(request))
            part.in_flight, part.unanswered = len(part.ids), 1
            part.reset_result = part.reset_due = None
        self._states.fill(IN_FLIGHT)
        self._delivered[:] = False
        self._last_env_id = None

    def send(self, actions: Any, env_id: Any = None) -> None:
        """Gives one action to each sub-env of ``env_id`` (None: those of the last ``recv``), without waiting."""
        ids = self._checked_env_id(env_id)
        if self._actions_are_array and type(actions) is not np.ndarray:
            actions = np.asarray(actions)
        given = _length(actions)
        if given != len(ids):
            raise InvalidArgumentError(f"send needs one action per sub-env of env_id ({len(ids)}); got {given}")
        for part in self._parts:
            local = part.local[ids]
            mine = local >= 0
            if not mine.any():
                continue
            if mine.all():
                part_ids, part_actions = ids, take(actions, slice(None))  # as arrays, as those taken below
            else:
                part_ids, local = ids[mine], local[mine]
                part_actions = take(actions, mine)
            if part.loss_due is not None:
                due = part.loss_due[local]
                if due.any():
                    self._push(Chunk.of_loss(part_ids[due], take(self._last_obs, part_ids[due])))
                    part.loss_due[local[due]] = False
                    part_ids, local = part_ids[~due], local[~due]
                    part_actions = take(part_actions, ~due)
                    if not len(local):
                        continue
            if part.reset_due is not None:
                due = part.reset_due[local]
                if due.any():  # made anew after a loss: these give their reset result, stepped nowhere
                    self._push(Chunk.of_reset(part.ids, *part.reset_result).select(local[due]))
                    part.reset_due[local[due]] = False
                    part_ids, local = part_ids[~due], local[~due]
                    part_actions = take(part_actions, ~due)
                    if not len(local):
                        continue
            request = {"op": "send", "handle": part.env._remote.handle, "env_id": local,
                       "action": part_actions, "recv": True, "min_batch": 1}
            part.posted.append(part.post(request))
            part.in_flight += len(local)
            part.unanswered += 1
        self._states[ids] = IN_FLIGHT

    def recv(self, timeout: float | None = None, *, min_batch: int | None = None
             ) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """The results of the first ``batch_size`` sub-envs in flight to finish, wherever they run, with
        ``infos["env_id"]`` saying which. ``InvalidArgumentError`` when fewer are in flight. With ``min_batch`` (1 to
        ``batch_size``): as soon as that many have finished, with every result already arrived up to ``batch_size``."""
        if self._step_posted is not None:
            raise InvalidArgumentError("step_async() posted a synchronous step of every sub-env: take its results "
                                       "with step_wait() before recv()")
        wanted = self.batch_size if min_batch is None else min_batch
        if type(wanted) is not int or not 1 <= wanted <= self.batch_size:
            raise InvalidArgumentError(f"min_batch must be an int between 1 and batch_size ({self.batch_size}); "
                                       f"got {min_batch!r}")
        in_flight = self._ready_count + sum(part.in_flight for part in self._parts)
        if in_flight < wanted:
            raise InvalidArgumentError(f"recv answers with batch_size ({self.batch_size}) sub-envs, but only "
                                       f"{in_flight} are in flight; send actions to more sub-envs first"
                                       if wanted == self.batch_size else
                                       f"recv with min_batch {wanted} needs that many sub-envs in flight; only "
                                       f"{in_flight} are: send actions to more sub-envs first")
        lost: list[_Part] = []
        while self._ready_count < wanted:
            for part in self._parts:
                # A recv waits at each node with sub-envs in flight, answered as soon as one of them finishes.
                if part.in_flight > 0 and part.unanswered == 0:
                    part.posted.append(part.post({"op": "recv", "handle": part.env._remote.handle, "min_batch": 1}))
                    part.unanswered = 1
            replies, newly_lost = self._gather(None, timeout)
            for part, reply in replies:
                self._receive(part, reply)
            if newly_lost:
                lost += newly_lost
                for chunk in self._lose(newly_lost):
                    self._push(chunk)
                if self.on_node_lost == "raise":
                    break
        if wanted < self.batch_size and not lost:
            # Replies already here from other nodes join the batch: a smaller min_batch never means fewer results.
            replies, _ = self._gather(None, None, wait=False)
            for part, reply in replies:
                self._receive(part, reply)
        if self._ready_count == 0:
            node, lost_ids = self._lost[-1]
            raise NodeLostError(node, lost_ids)
        chunk = self._take_ready(min(self.batch_size, self._ready_count))
        self._states[chunk.ids] = IDLE
        for _, lost_ids in self._lost:
            self._states[lost_ids] = LOST
        for env_id, error in chunk.errors.items():
            self._states[env_id] = IDLE if error.code == "invalid_action" else FAILED
        chunk.ids.flags.writeable = False  # handed out as infos["env_id"]; send() knows it again by identity
        self._last_env_id = chunk.ids
        _assign(self._last_obs, chunk.ids, chunk.obs)
        self._delivered[chunk.ids] = True
        results = chunk.results()
        results[4]["env_id"] = chunk.ids
        self._raise_if_lost(lost, results)
        if chunk.errors:
            raise SubEnvError(chunk.errors, results)
        return results

    # ---- bookkeeping ----

    def _busy(self) -> bool:
        return (self.batch_size != self.num_envs or self._ready_count > 0
                or any(part.in_flight or part.posted for part in self._parts))

    def _all_ids(self) -> np.ndarray:
        return np.arange(self.num_envs, dtype=np.int64)

    def _seeds(self, seed: Any) -> list[int | None] | None:
        """One seed per sub-env (None: unseeded), remembering an int seed for sub-envs remade after a loss."""
        if isinstance(seed, np.integer):
            seed = int(seed)
        if seed is None:
            self._reset_seed = None
            return None
        if isinstance(seed, int):
            if seed < 0:
                raise InvalidArgumentError(f"seed must be a non-negative integer or None; got {seed!r}")
            self._reset_seed = seed
            return [seed + i for i in range(self.num_envs)]
        seeds = [int(one) if isinstance(one, np.integer) else one for one in seed]
        if len(seeds) != self.num_envs:
            raise InvalidArgumentError(f"seed must list one seed per sub-env ({self.num_envs}); got {len(seeds)}")
        self._reset_seed = None
        return seeds

    def _checked_env_id(self, env_id: Any) -> np.ndarray:
        if env_id is None and self._last_env_id is None:
            if self._states.any():
                raise InvalidArgumentError("send(env_id=None) sends to the sub-envs of the last recv, and none "
                                           "was received since async_reset(): recv() first, or pass env_id")
            return self._all_ids()
        last = self._last_env_id
        if last is not None and (env_id is None or env_id is last):
            # The last recv's infos["env_id"] (read-only), as an EnvPool loop passes it back: distinct sub-envs of this
            # vector env already, and checking again costs more than the rest of a send.
            ids = last
        else:
            ids = np.array(env_id, dtype=np.int64).reshape(-1)
            if ids.size == 0:
                raise InvalidArgumentError("env_id lists no sub-env; send needs at least one")
            if ((ids < 0) | (ids >= self.num_envs)).any():
                raise InvalidArgumentError(f"env_id {ids.tolist()} names a sub-env outside 0 to {self.num_envs - 1}")
            if np.unique(ids).size != ids.size:
                raise InvalidArgumentError(f"env_id {ids.tolist()} lists a sub-env twice; a batch holds each once")
        self._refuse_lost(ids)
        busy = self._states[ids]
        if busy.any():
            k = int(np.flatnonzero(busy)[0])
            problem = ("is in flight: its result has not been received yet (recv it first)" if busy[k] == IN_FLIGHT
                       else "failed; reset() or async_reset() makes it anew")
            raise InvalidArgumentError(f"sub-env {ids[k]} (env_id[{k}]) {problem}")
        return ids

    def _refuse_lost(self, ids: np.ndarray) -> None:
        """Raise mode: a lost sub-env takes nothing until a reset makes it anew."""
        for node, lost_ids in self._lost:
            if np.isin(ids, lost_ids).any():
                raise NodeLostError(node, lost_ids)

    def _receive(self, part: _Part, reply: dict[str, Any]) -> None:
        """A node's batch: its results join those ready for recv."""
        error = reply.get("error")
        if error is not None:
            raise error_from_reply(error)
        part.unanswered -= 1
        chunk = Chunk.of_batch(part.ids, part.endpoint, reply)
        part.in_flight -= chunk.count
        self._push(chunk)

    def _push(self, chunk: Chunk) -> None:
        self._ready.append(chunk)
        self._ready_count += chunk.count

    def _take_ready(self, count: int) -> Chunk:
        """The oldest ``count`` results ready (errors count too); a chunk split in two keeps its rest in front."""
        taken: list[Chunk] = []
        left = count
        while left > 0:
            chunk = self._ready.popleft()
            if chunk.count > left:
                head, rest = chunk.split(left)
                self._ready.appendleft(rest)
                chunk = head
            taken.append(chunk)
            left -= chunk.count
        self._ready_count -= count
        return Chunk.concat(taken)

    def _gather(self, wanted: dict[_Part, int] | None,
                timeout: float | None, *, wait: bool = True) -> tuple[list[tuple[_Part, dict[str, Any]]], list[_Part]]:
        """Waits for the replies to ``wanted`` (part -> request id), or with None for the first replies due at any
        node, while watching every node for its loss. Returns the replies and the nodes lost meanwhile. With
        ``wait=False`` it takes only the replies already arrived (a node lost meanwhile is left to the next call)."""
        waited = self.timeout if timeout is None else timeout
        any_reply = wanted is None
        due = list(wanted) if wanted is not None else [part for part in self._parts if part.posted]
        replies: list[tuple[_Part, dict[str, Any]]] = []
        lost: list[_Part] = []
        op = "recv" if any_reply else "step"
        quiet_since = time.monotonic()  # the timeout counts from the last thing a node sent
        while due and not (any_reply and replies):
            if wait and time.monotonic() - self._losses_checked >= LOSS_CHECK_S:
                self._notice_losses(due, lost)
                continue
            if not wait:
                milliseconds = 0
            else:
                left = LOSS_CHECK_S if waited is None else min(LOSS_CHECK_S, waited - (time.monotonic() - quiet_since))
                milliseconds = max(1, round(left * 1000))
            # A node that closed its stream stopped (its monitor would say so a moment later).
            ended = [part for part in due if _stream_ended(part)]
            for part in ended:
                self._mark_lost(part, due, lost)
            if ended:
                continue
            # A stream may hold a whole reply read with the one before it: its descriptor stays quiet then.
            buffered = [part.socket for part in due if isinstance(part.socket, LocalStream) and part.socket.buffered]
            events = dict.fromkeys(buffered, zmq.POLLIN) if buffered else \
                {self._streams.get(key, key): flag for key, flag in self._replies.poll(milliseconds)}
            if not events:
                if not wait:
                    break
                if waited is not None and time.monotonic() - quiet_since >= waited:
                    self._notice_losses(due, lost)  # a lost node is no timeout
                    if due:
                        missing = ", ".join(part.endpoint for part in due)
                        raise ServerTimeoutError(missing, op, waited, pending=True)
                continue
            quiet_since = time.monotonic()
            readable = [part for part in due if part.socket in events]
            for part in readable:
                if self._read_replies(part, op, wanted, replies) or not part.posted:
                    due.remove(part)
                elif _stream_ended(part):
                    self._mark_lost(part, due, lost)
            for socket in events:
                watched = self._watched.get(socket)
                if watched is None or watched.posted or watched in readable:
                    continue
                if _stream_ended(watched):
                    self._mark_lost(watched, due, lost)
                elif not isinstance(socket, LocalStream) or socket.ready():
                    # Owing no reply, it sent one: the answer to a request an interrupted call left, which a later
                    # exchange would skip anyway. Dropped, one per poll: unread, it would wake every poll.
                    part.connection.next_reply(op)
        return replies, lost

    def _mark_lost(self, part: _Part, due: list[_Part], lost: list[_Part]) -> None:
        """Adds ``part`` to ``lost`` (no longer ``due``, no longer watched: its monitor or its ended stream stays
        readable and would be reported again)."""
        lost.append(part)
        self._unwatch(part)
        if part in due:
            due.remove(part)

    def _notice_losses(self, due: list[_Part], lost: list[_Part]) -> None:
        """Adds the nodes whose monitor reported the connection's loss to ``lost`` (no longer ``due``)."""
        self._losses_checked = time.monotonic()
        for monitor, _ in self._losses.poll(0):
            self._mark_lost(self._watched[monitor], due, lost)

    @staticmethod
    def _read_replies(part: _Part, op: str, wanted: dict[_Part, int] | None,
                      replies: list[tuple[_Part, dict[str, Any]]]) -> bool:
        """Reads the replies that arrived from ``part`` (the poller said one did) into ``replies``; with ``wanted``,
        up to the one it waits for. Returns whether that one came."""
        # For a ZeroMQ socket the poller's word stands for the first reply, since asking the socket costs as much as a
        # poll; a stream is asked each time (the poller may have seen a part of a reply).
        arrived = not isinstance(part.socket, LocalStream)
        while part.posted and (arrived or part.reply_waiting()):
            arrived = False
            reply = part.connection.next_reply(op)  # there: no wait, and no poll of its own
            reply_id = reply.get("id")
            if type(reply_id) is int and reply_id < part.posted[0]:
                continue  # left by an interrupted call
            part.posted.popleft()
            if wanted is None or reply_id == wanted[part] or reply_id is None:
                replies.append((part, reply))
                if wanted is not None:
                    return True
        return False

    def _watch(self, part: _Part) -> None:
        for socket, poller in ((part.socket, self._replies), (part.monitor, self._losses)):
            poller.register(socket, zmq.POLLIN)
            self._watched[socket] = part
        if isinstance(part.socket, LocalStream):
            part.descriptor = part.socket.fileno()
            self._streams[part.descriptor] = part.socket

    def _unwatch(self, part: _Part) -> None:
        for socket, poller in ((part.socket, self._replies), (part.monitor, self._losses)):
            if self._watched.pop(socket, None) is not None:
                poller.unregister(socket)
        self._streams.pop(part.descriptor, None)

    def _lose(self, lost: list[_Part]) -> list[Chunk]:
        """Drops the lost nodes' parts; returns their sub-envs' results (truncated at their last observation) and,
        with ``recreate``, makes them anew on live nodes. Only sub-envs in flight get a result."""
        chunks = []
        for part in lost:
            self._parts.remove(part)
            self._note_layout()
            self._unwatch(part)
            part.drop()
            self._lost_nodes.append(part.endpoint)
            in_flight = part.ids[self._states[part.ids] == IN_FLIGHT]
            received = set(np.concatenate([c.ids for c in self._ready]).tolist()) if self._ready else set()
            in_flight = np.array([i for i in in_flight.tolist() if i not in received], dtype=np.int64)
            # Results the node sent before it died stay valid: drop only what was never received.
            if self.on_node_lost == "recreate":
                # A sub-env whose reset never reached the caller has no last observation to be truncated at: its
                # reset on the new node is simply the result it was waiting for.
                unseen = in_flight[~self._delivered[in_flight]]
                in_flight = in_flight[self._delivered[in_flight]]
                chunks.append(Chunk.of_loss(in_flight, take(self._last_obs, in_flight)))
                for new in self._recreate(part.ids, loss_due=part.ids[~np.isin(part.ids, in_flight) & ~np.isin(part.ids, unseen)]):
                    mine = np.flatnonzero(np.isin(new.ids, unseen))
                    if len(mine):
                        chunks.append(Chunk.of_reset(new.ids, *new.reset_result).select(mine))
                        new.reset_due[mine] = False  # type: ignore[index]  # set by _recreate
            else:
                chunks.append(Chunk.of_loss(in_flight, take(self._last_obs, in_flight)))
                self._lost.append((part.endpoint, sorted(part.ids.tolist())))
                self._states[part.ids] = LOST
        return chunks

    def _raise_if_lost(self, lost: list[_Part], results: tuple) -> None:
        if lost and self.on_node_lost == "raise":
            node, lost_ids = self._lost[-1]
            raise NodeLostError(node, lost_ids, results)

    def _recreate(self, ids: np.ndarray, loss_due: np.ndarray | None = None) -> list[_Part]:
        """Makes sub-envs ``ids`` anew on live nodes, placed again without the lost ones, and resets them; those of
        ``loss_due`` get their loss as the result of their next send. Returns the new parts."""
        live = self._parts[0].endpoint if self._parts else self._address
        endpoints = self._place(len(ids), live, exclude=self._lost_nodes)
        parts = self._add_parts(endpoints, ids)
        for part in parts:
            seeds = None if self._reset_seed is None else [self._reset_seed + i for i in part.ids.tolist()]
            part.reset_result = part.env.reset(seed=seeds)
            part.reset_due = np.ones(len(part.ids), bool)
            if loss_due is not None and len(loss_due):
                part.loss_due = np.isin(part.ids, loss_due)
        return parts

    def _remake_lost(self) -> None:
        """Before a reset: sub-envs of lost nodes (raise mode) are made anew on live nodes."""
        for _, ids in self._lost:
            self._recreate(np.array(ids, dtype=np.int64))
        self._lost = []
        self._states[self._states == LOST] = IDLE

    def _forget_async_work(self) -> None:
        for part in self._parts:
            part.posted.clear()
            part.in_flight = part.unanswered = 0
        self._ready.clear()
        self._ready_count = 0
        self._step_posted = None
        self._states.fill(IDLE)
        self._last_env_id = None

    def _place(self, count: int, address: str, exclude: list[str] | None) -> list[str]:
        """Where ``count`` sub-envs go, asked of the node at ``address`` (``local``: there, as placement says)."""
        connection = self._connect(address)
        try:
            connection.require("cluster", f"make_vec(placement={self.placement!r})")
            connection.require("recv_min_batch", "a vector env over several nodes")
            placement = "spread" if exclude and self.placement == "local" else self.placement
            return place_on(connection, self.env_id, count, placement, exclude)
        finally:
            connection.close()

    def _add_parts(self, endpoints: list[str], ids: np.ndarray) -> list[_Part]:
        """Makes one vector env per run of equal endpoints; ``ids`` are the global indices of those sub-envs."""
        added = []
        start = 0
        while start < len(endpoints):
            stop = start
            while stop < len(endpoints) and endpoints[stop] == endpoints[start]:
                stop += 1
            part = _Part(self._make_part(endpoints[start], stop - start, HEARTBEAT_S), ids[start:stop].copy(),
                         self.num_envs)
            self._parts.append(part)
            self._watch(part)
            added.append(part)
            start = stop
        self._note_layout()
        return added

    def _note_layout(self) -> None:
        """Notes whether the parts, in their order, hold consecutive runs of sub-envs from 0 to ``num_envs - 1`` (as
        placement makes them, until a loss): their step replies then join in that order."""
        start = 0
        for part in self._parts:
            if type(part.rows) is not slice or part.rows.start != start:
                self._in_order = False
                return
            start = part.rows.stop
        self._in_order = start == self.num_envs


def _stream_ended(part: _Part) -> bool:
    """Whether the part's node closed its stream, every reply on it read."""
    socket = part.socket
    return isinstance(socket, LocalStream) and socket.ended and not socket.buffered


def _rows(ids: np.ndarray) -> slice | np.ndarray:
    """``ids`` as a slice when they are consecutive and ascending (indexing by a slice takes a view, not a copy),
    else ``ids`` themselves."""
    if len(ids) and (len(ids) == 1 or (np.diff(ids) == 1).all()):
        return slice(int(ids[0]), int(ids[-1]) + 1)
    return ids


def _length(actions: Any) -> int | None:
    if isinstance(actions, dict):
        return _length(next(iter(actions.values()))) if actions else None
    if isinstance(actions, tuple):
        return _length(actions[0]) if actions else None
    shape = np.shape(actions)
    return shape[0] if shape else None








def _assign(target: Any, ids: np.ndarray | slice, value: Any) -> None:
    """``target[ids] = value`` through dicts and tuples."""
    if target is None:
        return
    if isinstance(target, dict):
        for key in target:
            _assign(target[key], ids, value[key])
    elif isinstance(target, tuple):
        for member, part in zip(target, value):
            _assign(member, ids, part)
    else:
        target[ids] = value


def _writable_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _writable_copy(member) for key, member in value.items()}
    if isinstance(value, tuple):
        return tuple(_writable_copy(member) for member in value)
    return np.array(value)





