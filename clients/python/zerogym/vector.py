"""``ZeroGymVectorEnv``: N copies of an env stepped in a ZeroGym server, behind Gymnasium's vector API and EnvPool's
asynchronous ``async_reset``/``send``/``recv``."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from zerogym.compat import AutoresetMode, VectorEnv, batch_space, spaces
from zerogym.connection import DEFAULT_ADDRESS, SOCKET_TIMEOUT
from zerogym.errors import (
    InvalidActionError,
    InvalidArgumentError,
    ProtocolError,
    SubEnvError,
    UnknownHandleError,
    ZeroGymError,
    error_from_reply,
)
from zerogym.remote import RemoteEnv, drop_connection, field, reconnect_reduce
from zerogym.security import CurveKeys
from zerogym.wire import (
    array_decoder,
    decode_array,
    decode_space,
    decode_value,
    decode_vector_info,
    describe,
    value_decoder,
)

# Where each sub-env is (SPEC.md §3.4), one int8 per sub-env: idle is 0, so "any not idle" is one ``any()``.
IDLE, IN_FLIGHT, FAILED = 0, 1, 2

# What the reply to a posted request will be, kept in request order (replies keep it too, SPEC.md §1).
_ACCEPTED = 0  # only the id: a send or async_reset without recv
_BATCH = 1  # a batch: a recv, or a send or async_reset with recv true
_STEP = 2  # a synchronous step of every sub-env, posted by step_async


class ZeroGymVectorEnv(VectorEnv):
    """``num_envs`` copies of an env in a ZeroGym server; made by ``zerogym.make_vec``.

    It has the API of ``gymnasium.vector.VectorEnv`` (a subclass of it when Gymnasium is installed): batched
    ``observation_space``/``action_space`` as ``batch_space`` builds them, ``reset(seed=int | list | None)``,
    ``step(actions)`` returning numpy arrays (rewards float64, flags bool, all of shape ``(num_envs,)``) and infos in
    Gymnasium's vector layout. Sub-envs reset themselves on the step after they end (next-step autoreset,
    ``metadata["autoreset_mode"]``). Arrays are read-only views of the received message.

    Asynchronously, as EnvPool (SPEC.md §3.4): ``async_reset()`` then a loop of ``recv()``, which returns the results of
    the first ``batch_size`` sub-envs to finish with ``infos["env_id"]`` saying which, and ``send(actions, env_id)``.
    Each sub-env's results are those a single env would give, whatever the order they finish in. The client keeps
    requests in flight ahead of time (a ``recv`` rides on each ``send``), so ``recv`` usually finds its reply waiting.
    ``step_async``/``step_wait`` are Gymnasium's ``AsyncVectorEnv`` calls. One vector env is not thread-safe.
    """

    def __init__(self, env_id: str, num_envs: int, *, address: str = DEFAULT_ADDRESS, timeout: float | None = 30.0,
                 render_mode: str | None = None, kwargs: dict[str, Any] | None = None, curve: CurveKeys | None = None,
                 spin_us: int | None = None, batch_size: int | None = None,
                 autoreset_mode: str | AutoresetMode = "next_step", heartbeat: float | None = None):
        self.closed = True  # Until the server made it: nothing for close() to free.
        mode = autoreset_mode_of(autoreset_mode)
        if batch_size is not None and (type(batch_size) is not int or not 1 <= batch_size <= num_envs):
            raise InvalidArgumentError(f"batch_size must be an int between 1 and num_envs ({num_envs}); "
                                       f"got {batch_size!r}")
        # The server's default batch is every sub-env: then nothing is asked of it that an older server lacks.
        asked_batch = None if batch_size == num_envs else batch_size
        # Likewise the default mode is not asked for, so a server older than autoreset modes still makes the env.
        self._remote = RemoteEnv(env_id, address, timeout, render_mode, dict(kwargs or {}), num_envs, curve, spin_us,
                                 asked_batch, None if mode is AutoresetMode.NEXT_STEP else _WIRE_NAMES[mode], heartbeat)
        self.closed = False
        self.batch_size: int = num_envs if batch_size is None else batch_size
        """How many sub-envs ``recv`` answers with (``num_envs`` unless ``make_vec`` was given fewer)."""
        try:
            made = self._remote.made
            if made.get("num_envs") != num_envs:
                raise ProtocolError(f"asked for {num_envs} copies of {env_id}; the server made {made.get('num_envs')}")
            if made.get("batch_size", self.batch_size) != self.batch_size:
                raise ProtocolError(f"asked for batches of {self.batch_size} sub-envs of {env_id}; the server made "
                                    f"batches of {made.get('batch_size')}")
            self.num_envs = num_envs
            self.single_observation_space = decode_space(field(made, "observation_space", "make"))
            self.single_action_space = decode_space(field(made, "action_space", "make"))
            self.observation_space = batch_space(self.single_observation_space, num_envs)
            self.action_space = batch_space(self.single_action_space, num_envs)
            self.metadata = {"render_modes": [], **(made.get("metadata") or {}),
                             "autoreset_mode": mode}
            self.render_mode = made.get("render_mode")
            self.spec = self._remote.spec(render_mode)
        except BaseException:
            self.close()
            raise
        self._decode_obs = value_decoder(self.observation_space)
        self._step_results = step_results_decoder(self.observation_space, num_envs)
        # Batched values of these spaces are single arrays: lists of actions are sent as one array.
        self._actions_are_array = isinstance(
            self.single_action_space, (spaces.Box, spaces.Discrete, spaces.MultiBinary, spaces.MultiDiscrete))
        self._step_request = self._remote.step_request
        self._connection = self._remote.connection
        self._request = self._connection.request

        # The asynchronous side (SPEC.md §3.4), all of it local bookkeeping of what the server was asked.
        self._decode_batch_obs = value_decoder(batch_space(self.single_observation_space, self.batch_size))
        self._decode_env_ids = array_decoder(np.int64, (self.batch_size,))
        self._decode_batch_rewards = array_decoder(np.float64, (self.batch_size,))
        self._decode_batch_flags = array_decoder(np.bool_, (self.batch_size,))
        self._all_env_ids = np.arange(num_envs, dtype=np.int64)
        self._all_env_ids.flags.writeable = False
        self._states = np.zeros(num_envs, np.int8)
        self._in_flight = 0
        self._claims = 0  # posted requests whose reply is a batch: each claims batch_size of the sub-envs in flight
        # (request id, reply kind, sub-envs sent, the least a batch reply holds: batch_size unless min_batch was asked)
        self._pending: deque[tuple[int, int, np.ndarray | None, int]] = deque()
        self._early_replies: deque[dict[str, Any]] = deque()  # read ahead of their turn (by render)
        self._drop_below = 0  # replies to requests before the last async_reset are read and dropped
        self._step_posted = False
        self._async_checked = False
        self._last_env_id: np.ndarray | None = self._all_env_ids  # what send(env_id=None) sends to
        self._last_env_id_wire: Any = None  # its wire form as received, sent back as it is
        handle = self._remote.handle
        self._send_request: dict[str, Any] = {"op": "send", "handle": handle, "env_id": None, "action": None,
                                              "recv": False}
        self._recv_request: dict[str, Any] = {"op": "recv", "handle": handle}

    @property
    def nodes(self) -> list[str]:
        """The endpoint of the server each sub-env runs on: all the same for a vector env of one server."""
        return [self._connection.address] * self.num_envs

    # ---- Gymnasium's VectorEnv ----

    def reset(self, *, seed: int | Sequence[int | None] | np.ndarray | None = None,
              options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Resets every sub-env: an int ``seed`` s seeds sub-env i with s + i, a list seeds each with its own.

        Work in flight is finished by the server and its results dropped; failed sub-envs are made anew.
        """
        if isinstance(seed, np.integer):
            seed = int(seed)
        super().reset(seed=seed if isinstance(seed, int) else None)
        sent_before = self._connection.last_request_id
        try:
            reply = self._remote.reset(list(seed) if isinstance(seed, (tuple, np.ndarray)) else seed, options)
        finally:
            # Once a reset went out, the server drops whatever was in flight, and the replies before it were read.
            if self._connection.last_request_id != sent_before:
                self._forget_async_work()
        try:
            return self._decode_obs(reply["obs"]), decode_vector_info(reply["info"])
        except KeyError as missing:
            raise ProtocolError(f"expected {missing} in the reply to 'reset'; got keys {sorted(reply)}") from None

    def step(self, actions: Any, env_id: Any = None) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Runs one timestep. Returns ``(obs, rewards, terminations, truncations, infos)``.

        With ``batch_size == num_envs``, nothing in flight and no ``env_id``, every sub-env steps in one round trip and
        the arrays are in sub-env order. Otherwise it is ``send(actions, env_id)`` then ``recv()``.
        """
        if env_id is not None or self._in_flight or self.batch_size != self.num_envs or self._pending:
            self.send(actions, env_id)
            return self.recv()
        if self._actions_are_array and type(actions) is not np.ndarray:
            actions = np.asarray(actions)
        request = self._step_request
        request["action"] = actions
        try:
            reply = self._request(request)
        except UnknownHandleError as error:
            raise self._remote.gone(error) from None
        self._last_env_id, self._last_env_id_wire = self._all_env_ids, None
        return self._step_results(reply)

    def render(self) -> tuple[np.ndarray, ...]:
        """One read-only uint8 frame (H, W, 3) per sub-env (after the server finished the steps in flight)."""
        reply = self._request_in_turn({"op": "render", "handle": self._remote.handle})
        return tuple(decode_array(frame) for frame in field(reply, "frames", "render"))

    def close_extras(self, **kwargs: Any) -> None:
        """Frees the sub-envs in the server and closes the connection (replies still due are read and dropped)."""
        self._remote.close()

    # ---- EnvPool's asynchronous calls (SPEC.md §3.4) ----

    def async_reset(self, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None) -> None:
        """Resets every sub-env without waiting: ``recv()`` returns the reset observations, ``batch_size`` at a time,
        with reward 0 and both flags false. Seeds as ``reset``'s. Results not yet received are dropped; failed sub-envs
        are made anew."""
        self._ensure_async("async_reset")
        if isinstance(seed, np.integer):
            seed = int(seed)
        seeds = self._checked_seeds(seed)
        if options is not None:
            self._connection.require("reset_options", "async_reset(options=...)")
        super().reset(seed=seed if isinstance(seed, int) else None)
        request: dict[str, Any] = {"op": "async_reset", "handle": self._remote.handle, "seed": seeds, "recv": True}
        if options is not None:
            request["options"] = options
        request_id = self._connection.post(request)
        # The server answers what was posted before, then drops what was not received: so do we.
        self._drop_below = request_id
        self._pending.append((request_id, _BATCH, self._all_env_ids, self.batch_size))
        self._states.fill(IN_FLIGHT)
        self._in_flight = self.num_envs
        self._claims = 1
        self._step_posted = False
        self._last_env_id = self._last_env_id_wire = None
        self._post_recvs()

    def send(self, actions: Any, env_id: Any = None) -> None:
        """Gives one action to each sub-env of ``env_id`` (an int array; None: those of the last ``recv``, or every
        sub-env after ``reset()``) without waiting; ``actions`` are batched in the order of ``env_id``.

        Raises ``InvalidArgumentError`` naming the sub-env, and sends nothing, when ``env_id`` is empty, out of range,
        repeats a sub-env, or names one in flight or failed; ``InvalidActionError`` when the number of actions is not
        that of ``env_id``. A single sub-env's action outside the action space comes back from ``recv`` as its error.
        """
        if not self._async_checked:
            self._ensure_async("send")
        if env_id is None or env_id is self._last_env_id:
            env_id = self._last_env_id
            if env_id is None:
                raise InvalidArgumentError("send(env_id=None) sends to the sub-envs of the last recv, and none was "
                                           "received since async_reset(): recv() first, or pass env_id")
            wire = self._last_env_id_wire
            if self._states[env_id].any():
                self._refuse(env_id, self._states[env_id])
        else:
            env_id, wire = self._checked_env_id(env_id), None
        count = len(env_id)
        if self._actions_are_array:
            if type(actions) is not np.ndarray:
                actions = np.asarray(actions)
            given = actions.shape[0] if actions.ndim else None
        else:
            given = _batch_length(actions)
        if given != count:
            raise InvalidActionError(f"send needs one action per sub-env of env_id ({count}); got "
                                     f"{'one unbatched action' if given is None else given}")
        batch_size = self.batch_size
        in_flight = self._in_flight + count
        with_recv = in_flight - self._claims * batch_size >= batch_size
        request = self._send_request
        request["env_id"] = env_id if wire is None else wire
        request["action"] = actions
        request["recv"] = with_recv
        request_id = self._connection.post(request)
        self._states[env_id] = IN_FLIGHT
        self._in_flight = in_flight
        if with_recv:
            self._pending.append((request_id, _BATCH, env_id, batch_size))
            self._claims += 1
            if in_flight - self._claims * batch_size >= batch_size:
                self._post_recvs()
        else:
            self._pending.append((request_id, _ACCEPTED, env_id, 0))

    def recv(self, timeout: float | None = None, *, min_batch: int | None = None) -> tuple[Any, np.ndarray, np.ndarray,
                                                                                           np.ndarray, dict[str, Any]]:
        """The results of the first ``batch_size`` sub-envs in flight to finish: ``(obs, rewards, terminations,
        truncations, infos)``, with ``infos["env_id"]`` (int64) the sub-env of each entry of the arrays.

        Waits up to ``timeout`` seconds (None: the env's ``timeout``), then raises ``ServerTimeoutError``; the batch
        stays due, and the next ``recv()`` returns it. Sub-envs that failed raise ``SubEnvError``, which holds the
        batch's other results. ``InvalidArgumentError`` when fewer than ``batch_size`` sub-envs are in flight.

        ``min_batch`` (1 to ``batch_size``; protocol 1.3, server capability ``recv_min_batch``): answer as soon as that
        many sub-envs have finished, with every finished one up to ``batch_size``, so the arrays hold ``min_batch`` to
        ``batch_size`` entries. A batch already on its way (posted ahead by ``send``) is returned first, whole.
        """
        if not self._async_checked:
            self._ensure_async("recv")
        if self._step_posted:
            raise InvalidArgumentError("step_async() posted a synchronous step of every sub-env: take its results "
                                       "with step_wait() before recv()")
        if min_batch is not None and min_batch != self.batch_size:
            if type(min_batch) is not int or not 1 <= min_batch <= self.batch_size:
                raise InvalidArgumentError(f"min_batch must be an int between 1 and batch_size ({self.batch_size}); "
                                           f"got {min_batch!r}")
            self._connection.require("recv_min_batch", "recv(min_batch=...)")
        if self._claims == 0:
            self._post_recv(min_batch)
        pending = self._pending
        while True:
            request_id, kind, env_ids, least = pending[0]
            reply = self._reply_to(request_id, "recv", SOCKET_TIMEOUT if timeout is None else timeout)
            pending.popleft()
            if request_id < self._drop_below:
                continue
            error = reply.get("error")
            if error is not None:
                self._rejected(kind, env_ids, error)
            if kind == _BATCH:
                self._claims -= 1
                return self._received(reply, least)

    def step_async(self, actions: Any) -> None:
        """Gymnasium's ``AsyncVectorEnv.step_async``: with ``batch_size == num_envs`` and nothing in flight, posts the
        synchronous step of every sub-env (``step_wait`` gives its results in sub-env order); otherwise ``send``."""
        if self._in_flight or self.batch_size != self.num_envs or self._pending:
            self.send(actions)
            return
        if self._actions_are_array and type(actions) is not np.ndarray:
            actions = np.asarray(actions)
        request = self._step_request
        request["action"] = actions
        request_id = self._connection.post(request)
        self._pending.append((request_id, _STEP, self._all_env_ids, 0))
        self._states.fill(IN_FLIGHT)
        self._in_flight = self.num_envs
        self._step_posted = True

    def step_wait(self, timeout: float | None = None) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray,
                                                                dict[str, Any]]:
        """Gymnasium's ``AsyncVectorEnv.step_wait``: the results of ``step_async`` (``recv``'s when it sent)."""
        if not self._step_posted:
            return self.recv(timeout)
        request_id, kind, env_ids, _ = self._pending[0]
        reply = self._reply_to(request_id, "step", SOCKET_TIMEOUT if timeout is None else timeout)
        self._pending.popleft()
        self._step_posted = False
        error = reply.get("error")
        if error is not None:
            self._rejected(kind, env_ids, error)
        self._states.fill(IDLE)
        self._in_flight = 0
        self._last_env_id, self._last_env_id_wire = self._all_env_ids, None
        return self._step_results(reply)

    # ---- the bookkeeping behind them ----

    def _ensure_async(self, call: str) -> None:
        self._connection.require("async_vector", f"{call}()")
        self._async_checked = True

    def _post_recv(self, min_batch: int | None = None) -> None:
        """Posts one recv, which the sub-envs in flight and not yet claimed must cover (or it would never be answered).

        Each recv posted earlier counts as ``batch_size``, the most it may take (SPEC.md §3.4)."""
        least = self.batch_size if min_batch is None else min_batch
        unclaimed = self._in_flight - self._claims * self.batch_size
        if unclaimed < least:
            needs = f"batch_size ({self.batch_size})" if least == self.batch_size else f"at least min_batch ({least})"
            raise InvalidArgumentError(
                f"recv answers with {needs} sub-envs, but only {max(unclaimed, 0)} sent ones "
                f"are not already awaited by an earlier recv; send actions to more sub-envs first")
        request = self._recv_request if least == self.batch_size else {**self._recv_request, "min_batch": least}
        self._pending.append((self._connection.post(request), _BATCH, None, least))
        self._claims += 1

    def _post_recvs(self) -> None:
        """Posts recvs while the unclaimed sub-envs in flight cover a batch, so that replies are on their way early."""
        while self._in_flight - self._claims * self.batch_size >= self.batch_size:
            self._post_recv()

    def _reply_to(self, request_id: int, op: str, timeout: Any, *, read_ahead: bool = True) -> dict[str, Any]:
        """The reply to the posted request ``request_id``, the oldest still due (replies read ahead of their turn
        first, unless ``read_ahead`` is false); replies to earlier requests are stale (left by an interrupted call)."""
        while True:
            if read_ahead and self._early_replies:
                reply = self._early_replies.popleft()
            else:
                reply = self._connection.next_reply(op, timeout)
            reply_id = reply.get("id")
            # Only an error about a request the server could not read has no id: that request was this one.
            if reply_id == request_id or (reply_id is None and "error" in reply):
                return reply
            if type(reply_id) is not int or reply_id > request_id:
                raise ProtocolError(f"expected the reply to request {request_id} (replies keep the order of "
                                    f"requests); got one with id {reply_id!r}")

    def _request_in_turn(self, message: dict[str, Any]) -> dict[str, Any]:
        """A request answered after those still due: their replies are kept, in order, for ``recv``."""
        if not self._pending:
            return self._remote.request(message)
        op = message["op"]
        request_id = self._connection.post(message)
        for due_id, *_ in list(self._pending)[len(self._early_replies):]:
            self._early_replies.append(self._reply_to(due_id, op, SOCKET_TIMEOUT, read_ahead=False))
        reply = self._reply_to(request_id, op, SOCKET_TIMEOUT, read_ahead=False)
        error = reply.get("error")
        if error is not None:
            exception = error_from_reply(error)
            raise self._remote.gone(exception) if isinstance(exception, UnknownHandleError) else exception
        return reply

    def _received(self, reply: dict[str, Any], least: int) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray,
                                                                     dict[str, Any]]:
        """A batch's results (``least`` to ``batch_size`` sub-envs); its sub-envs are idle again (or failed, for those
        in its errors)."""
        errors = reply.get("errors")
        try:
            wire_env_id = reply["env_id"]
            if errors is None and least == self.batch_size:
                env_id = self._decode_env_ids(wire_env_id)
                obs = self._decode_batch_obs(reply["obs"])
                rewards = self._decode_batch_rewards(reply["reward"])
                terminations = self._decode_batch_flags(reply["terminated"])
                truncations = self._decode_batch_flags(reply["truncated"])
            else:
                env_id = decode_array(wire_env_id)
                obs = decode_value(reply["obs"])
                rewards = decode_array(reply["reward"])
                terminations = decode_array(reply["terminated"])
                truncations = decode_array(reply["truncated"])
            info = reply["info"]
        except KeyError as missing:
            raise ProtocolError(f"expected {missing} in a batch reply; got keys {sorted(reply)}") from None
        count = len(env_id) + (len(errors) if type(errors) is list else 0)
        if not least <= count <= self.batch_size:
            expected = (f"{self.batch_size} (batch_size)" if least == self.batch_size
                        else f"{least} (min_batch) to {self.batch_size} (batch_size)")
            raise ProtocolError(f"a batch must hold {expected} sub-envs, results and errors together; got "
                                f"{len(env_id)} results and {count - len(env_id)} errors")
        failed = self._take_errors(errors) if errors is not None else None
        states = self._states
        try:
            states[env_id] = IDLE
        except IndexError:
            raise ProtocolError(f"a batch named sub-envs {env_id.tolist()}; this vector env has {self.num_envs}") from None
        self._in_flight -= count
        # Every sub-env of the batch was in flight, once: otherwise fewer than its size left the in-flight state.
        if np.count_nonzero(states == IN_FLIGHT) != self._in_flight:
            raise ProtocolError(f"a batch of sub-envs {env_id.tolist()} (errors: {sorted(failed or {})}) holds a "
                                f"sub-env twice or one that was not in flight; expected {count} distinct "
                                f"sub-envs in flight")
        self._last_env_id, self._last_env_id_wire = env_id, wire_env_id
        infos = gymnasium_final_obs(decode_vector_info(info)) if info else {}
        infos["env_id"] = env_id
        results = (obs, rewards, terminations, truncations, infos)
        if failed:
            raise SubEnvError(failed, results)
        return results

    def _take_errors(self, errors: Any) -> dict[int, ZeroGymError]:
        """The errors of a batch by sub-env; a sub-env whose action was refused is idle again, any other failed."""
        if type(errors) is not list:
            raise ProtocolError(f"expected a batch's errors as an array of maps; got {describe(errors)}")
        failed: dict[int, ZeroGymError] = {}
        for item in errors:
            env_id = item.get("env_id") if type(item) is dict else None
            if type(env_id) is not int or not 0 <= env_id < self.num_envs:
                raise ProtocolError(f"expected a sub-env error {{env_id, code, message}}; got {describe(item)}")
            error = error_from_reply(item)
            failed[env_id] = error
            self._states[env_id] = IDLE if isinstance(error, InvalidActionError) else FAILED
        return failed

    def _rejected(self, kind: int, env_ids: np.ndarray | None, error: Any) -> None:
        """A posted request was refused as a whole, so it changed nothing on the server: neither does it here."""
        exception = error_from_reply(error)
        if isinstance(exception, UnknownHandleError):
            self._forget_async_work()  # The env is gone, and everything in flight with it.
            raise self._remote.gone(exception)
        if env_ids is not None:
            self._states[env_ids] = IDLE
            self._in_flight -= len(env_ids)
        if kind == _BATCH:
            self._claims -= 1
        raise exception

    def _forget_async_work(self) -> None:
        """Nothing in flight and nothing due: after a reset, a close or the env's loss."""
        self._states.fill(IDLE)
        self._in_flight = self._claims = self._drop_below = 0
        self._pending.clear()
        self._early_replies.clear()
        self._step_posted = False
        self._last_env_id, self._last_env_id_wire = self._all_env_ids, None
        # A reset may have made the env anew under another handle.
        self._send_request["handle"] = self._recv_request["handle"] = self._remote.handle

    def _checked_env_id(self, env_id: Any) -> np.ndarray:
        """``env_id`` as an int array of distinct idle sub-envs, or the error the server would give, naming one."""
        ids = np.array(env_id)  # A copy: the caller may change its array while the request is in flight.
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise InvalidArgumentError(f"env_id must list sub-env indices (a list or 1-d array of integers); got "
                                       f"{describe(env_id)}")
        if ids.size == 0:
            raise InvalidArgumentError("env_id lists no sub-env; send needs at least one")
        outside = (ids < 0) | (ids >= self.num_envs)
        if outside.any():
            k = int(np.argmax(outside))
            raise InvalidArgumentError(f"sub-env {ids[k]} (env_id[{k}]) is not a sub-env of this vector env, whose "
                                       f"sub-envs are 0 to {self.num_envs - 1}")
        if np.unique(ids).size != ids.size:
            k = next(k for k in range(1, ids.size) if ids[k] in ids[:k])
            raise InvalidArgumentError(f"sub-env {ids[k]} (env_id[{k}]) is listed twice; a batch holds each sub-env "
                                       f"once")
        states = self._states[ids]
        if states.any():
            self._refuse(ids, states)
        return ids

    @staticmethod
    def _refuse(ids: np.ndarray, states: np.ndarray) -> None:
        k = int(np.flatnonzero(states)[0])
        problem = ("is in flight: its result has not been received yet (recv it first)" if states[k] == IN_FLIGHT
                   else "failed; reset() or async_reset() makes it anew")
        raise InvalidArgumentError(f"sub-env {ids[k]} (env_id[{k}]) {problem}")

    def _checked_seeds(self, seed: Any) -> Any:
        """``seed`` in its wire form, or the error the server would give (async_reset answers later, so check now)."""
        if seed is None:
            return None
        if isinstance(seed, (list, tuple, np.ndarray)):
            seeds = [int(one) if isinstance(one, np.integer) else one for one in seed]
            if len(seeds) != self.num_envs:
                raise InvalidArgumentError(f"seed must list one seed per sub-env ({self.num_envs}); got {len(seeds)}")
            for index, one in enumerate(seeds):
                if one is not None and (type(one) is not int or one < 0):
                    raise InvalidArgumentError(f"seed[{index}] must be a non-negative integer or None; got {one!r}")
            return seeds
        if type(seed) is not int or seed < 0:
            raise InvalidArgumentError(f"seed must be a non-negative integer or None; got {seed!r}")
        return seed

    def __reduce__(self):
        return reconnect_reduce(self)

    def __del__(self) -> None:
        drop_connection(self)

    def __enter__(self) -> ZeroGymVectorEnv:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


def _batch_length(actions: Any) -> int | None:
    """The number of actions in a batch of a Dict or Tuple space (that of its first member), None when unbatched."""
    if isinstance(actions, dict):
        return _batch_length(next(iter(actions.values()))) if actions else None
    if isinstance(actions, tuple):
        return _batch_length(actions[0]) if actions else None
    shape = np.shape(actions)
    return shape[0] if shape else None


_WIRE_NAMES = {AutoresetMode.NEXT_STEP: "next_step", AutoresetMode.SAME_STEP: "same_step",
               AutoresetMode.DISABLED: "disabled"}
"""The wire names of the autoreset modes (SPEC.md §2.3)."""


def autoreset_mode_of(mode: str | AutoresetMode) -> AutoresetMode:
    """``"next_step"``, ``"same_step"``, ``"disabled"`` or an ``AutoresetMode`` (Gymnasium's names work too)."""
    if isinstance(mode, AutoresetMode):
        return mode
    for member, wire_name in _WIRE_NAMES.items():
        if mode in (wire_name, member.value):
            return member
    raise InvalidArgumentError(f"autoreset_mode must be one of {sorted(_WIRE_NAMES.values())} or an AutoresetMode; "
                               f"got {mode!r}")


StepResults = tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]
"""``(obs, rewards, terminations, truncations, infos)`` of a vector env's step."""


def step_results_decoder(observation_space: spaces.Space, num_envs: int) -> Callable[[dict[str, Any]], StepResults]:
    """A function turning a step reply of ``num_envs`` sub-envs into ``(obs, rewards, terminations, truncations,
    infos)``; ``observation_space`` is the batched one. Built once per vector env."""
    decode_obs = value_decoder(observation_space)
    decode_rewards = array_decoder(np.float64, (num_envs,))
    decode_flags = array_decoder(np.bool_, (num_envs,))

    def decode(reply: dict[str, Any]) -> StepResults:
        try:
            info = reply["info"]
            return (decode_obs(reply["obs"]), decode_rewards(reply["reward"]), decode_flags(reply["terminated"]),
                    decode_flags(reply["truncated"]), gymnasium_final_obs(decode_vector_info(info)) if info else info)
        except KeyError as missing:
            raise ProtocolError(f"expected {missing} in the reply to 'step'; got keys {sorted(reply)}") from None

    return decode


def gymnasium_final_obs(infos: dict[str, Any]) -> dict[str, Any]:
    """Same-step autoreset's ``final_obs`` as Gymnasium gives it: an object array, None where no episode ended.

    On the wire it is batched like any array info (zeros where absent, SPEC.md §2.3).
    """
    final = infos.get("final_obs")
    if final is not None:
        mask = infos["_final_obs"]
        objects = np.full(len(mask), None, dtype=object)
        for i in np.flatnonzero(mask):
            objects[i] = final[i] if not isinstance(final, dict) else {
                key: value[i] for key, value in final.items() if not (key.startswith("_") and key[1:] in final)}
        infos["final_obs"] = objects
    return infos
