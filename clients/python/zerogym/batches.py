"""Results of some sub-envs of a vector env spanning nodes, batched in one order, and how they join (SPEC.md §3.4).

A node's reply is one ``Chunk``; the fan-out (``zerogym.fanout``) concatenates, reorders and splits them into what a
call returns, or joins the nodes' step replies on the wire (``joined_step_reply``) so they decode as one node's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zerogym.errors import ProtocolError, ZeroGymError, error_from_reply
from zerogym.vector import gymnasium_final_obs
from zerogym.wire import decode_array, decode_value, decode_vector_info, is_array_map


class Chunk:
    """Results of some sub-envs (global ``ids``), batched in one order: a node's reply, or several joined."""

    def __init__(self, ids: np.ndarray, obs: Any, rewards: np.ndarray, terminations: np.ndarray,
                 truncations: np.ndarray, info: dict[str, Any], errors: dict[int, ZeroGymError] | None = None,
                 lost: np.ndarray | None = None):
        self.ids = ids
        self.obs = obs
        self.rewards = rewards
        self.terminations = terminations
        self.truncations = truncations
        self.info = info
        self.errors = errors or {}
        self.lost = np.zeros(len(ids), bool) if lost is None else lost  # per entry: truncated by its node's loss

    @property
    def count(self) -> int:
        """Its sub-envs, results and errors together (what a recv's batch_size counts)."""
        return len(self.ids) + len(self.errors)

    @staticmethod
    def of_step(ids: np.ndarray, obs: Any, rewards: np.ndarray, terminations: np.ndarray, truncations: np.ndarray,
                info: dict[str, Any]) -> Chunk:
        return Chunk(ids, obs, rewards, terminations, truncations, info or {})

    @staticmethod
    def of_reset(ids: np.ndarray, obs: Any, info: dict[str, Any]) -> Chunk:
        n = len(ids)
        return Chunk(ids, obs, np.zeros(n), np.zeros(n, bool), np.zeros(n, bool), info or {})

    @staticmethod
    def of_loss(ids: np.ndarray, last_obs: Any) -> Chunk:
        n = len(ids)
        return Chunk(ids, last_obs, np.zeros(n), np.zeros(n, bool), np.ones(n, bool), {}, lost=np.ones(n, bool))

    @staticmethod
    def of_batch(ids: np.ndarray, endpoint: str, reply: dict[str, Any]) -> Chunk:
        """The batch reply (SPEC.md §3.4) of the node at ``endpoint`` running sub-envs ``ids`` (global indices, in its
        own order), its sub-envs renamed by their global index."""
        try:
            local = decode_array(reply["env_id"])
            info = reply["info"]
            chunk = Chunk(ids[local], decode_value(reply["obs"]), decode_array(reply["reward"]),
                           decode_array(reply["terminated"]), decode_array(reply["truncated"]),
                           gymnasium_final_obs(decode_vector_info(info)) if info else {})
        except (KeyError, IndexError) as problem:
            raise ProtocolError(f"a batch from {endpoint} does not follow SPEC.md §3.4: {problem}") from None
        for item in reply.get("errors") or []:
            chunk.errors[int(ids[item["env_id"]])] = error_from_reply(item)
        return chunk

    @staticmethod
    def concat(chunks: list[Chunk]) -> Chunk:
        if len(chunks) == 1:
            return chunks[0]
        errors: dict[int, ZeroGymError] = {}
        for chunk in chunks:
            errors.update(chunk.errors)
        return Chunk(np.concatenate([chunk.ids for chunk in chunks]), _concat([chunk.obs for chunk in chunks]),
                      np.concatenate([chunk.rewards for chunk in chunks]),
                      np.concatenate([chunk.terminations for chunk in chunks]),
                      np.concatenate([chunk.truncations for chunk in chunks]),
                      _concat_infos([(chunk.info, len(chunk.ids)) for chunk in chunks]), errors,
                      np.concatenate([chunk.lost for chunk in chunks]))

    @staticmethod
    def merge(chunks: list[Chunk], num_envs: int) -> Chunk:
        """Chunks covering every sub-env once, joined in sub-env order."""
        joined = Chunk.concat(chunks)
        if len(joined.ids) != num_envs:
            raise ProtocolError(f"expected results of all {num_envs} sub-envs; got {len(joined.ids)}")
        order = np.argsort(joined.ids, kind="stable")
        return joined.select(order) if (order != np.arange(num_envs)).any() else joined

    def select(self, index: np.ndarray) -> Chunk:
        """The entries at positions ``index``."""
        return Chunk(self.ids[index], take(self.obs, index), self.rewards[index], self.terminations[index],
                      self.truncations[index], _take_info(self.info, index), self.errors, self.lost[index])

    def split(self, count: int) -> tuple[Chunk, Chunk]:
        """The first ``count`` (its errors counted first), and the rest."""
        results = count - len(self.errors)
        head = self.select(np.arange(results))
        rest = self.select(np.arange(results, len(self.ids)))
        rest.errors = {}
        return head, rest

    def results(self) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """``(obs, rewards, terminations, truncations, infos)``; ``infos["node_lost"]`` when a node's loss truncated
        some of them."""
        info = dict(self.info)
        if self.lost.any():
            info["node_lost"] = info["_node_lost"] = self.lost
        return self.obs, self.rewards, self.terminations, self.truncations, info


def joined_step_reply(replies: list[dict[str, Any]], counts: list[int]) -> dict[str, Any] | None:
    """Step replies of consecutive runs of sub-envs (``counts`` of them each), in order, joined into the reply of one
    vector env running them all: each array's bytes concatenated, each per-env list extended. None when they do not
    join that way (an error reply, an info key some lack, an observation that is not one array, a reply with other
    than its count of rows): the caller decodes each and merges the results, which names what is wrong."""
    joined: dict[str, Any] = {}
    try:
        if not is_array_map(replies[0]["obs"]):
            return None
        for key in ("obs", "reward", "terminated", "truncated"):
            joined[key] = _joined_array([reply[key] for reply in replies], counts)
            if joined[key] is None:
                return None
        joined["info"] = _joined_info([reply["info"] or {} for reply in replies], counts)
    except (KeyError, TypeError, IndexError):
        return None
    return joined if joined["info"] is not None else None


def _joined_array(values: list[Any], counts: list[int]) -> dict[str, Any] | None:
    """Wire arrays ``{dtype, shape, data}`` of one dtype and row shape and ``counts`` rows each, stacked along their
    first axis (``KeyError`` or ``TypeError`` when one is no wire array)."""
    first = values[0]
    dtype, shape = first["dtype"], first["shape"]
    for value, count in zip(values, counts):
        other = value["shape"]
        if value["dtype"] != dtype or len(other) != len(shape) or other[0] != count or other[1:] != shape[1:]:
            return None
    return {"dtype": dtype, "shape": [sum(counts), *shape[1:]], "data": b"".join([value["data"] for value in values])}


def _joined_info(infos: list[dict[str, Any]], counts: list[int]) -> dict[str, Any] | None:
    """Vector infos on the wire (SPEC.md §2.3) with the same keys, joined member by member."""
    first = infos[0]
    joined: dict[str, Any] = {}
    for key, value in first.items():
        values: list[Any] = [info.get(key) for info in infos]
        member: Any
        if is_array_map(value):
            member = _joined_array(values, counts)
        elif type(value) is dict:
            member = _joined_info(values, counts) if all(type(each) is dict for each in values) else None
        elif type(value) is list:
            whole = all(type(each) is list and len(each) == count for each, count in zip(values, counts))
            member = [item for each in values for item in each] if whole else None
        else:
            member = None
        if member is None:
            return None
        joined[key] = member
    return joined if all(len(info) == len(first) for info in infos) else None


def take(value: Any, index: np.ndarray | slice) -> Any:
    """Entries ``index`` of a batched value (an array, or a dict or tuple of them)."""
    if isinstance(value, dict):
        return {key: take(member, index) for key, member in value.items()}
    if isinstance(value, tuple):
        return tuple(take(member, index) for member in value)
    return np.asarray(value)[index]


def _concat(values: list[Any]) -> Any:
    first = values[0]
    if isinstance(first, dict):
        return {key: _concat([value[key] for value in values]) for key in first}
    if isinstance(first, tuple):
        return tuple(_concat([value[k] for value in values]) for k in range(len(first)))
    return np.concatenate([np.asarray(value) for value in values])


def _take_info(info: dict[str, Any], index: np.ndarray) -> dict[str, Any]:
    return {key: _take_info(value, index) if isinstance(value, dict) else np.asarray(value)[index]
            for key, value in info.items()}


def _concat_infos(infos: list[tuple[dict[str, Any], int]]) -> dict[str, Any]:
    """Vector infos of consecutive runs of sub-envs joined (Gymnasium's layout): a key some runs lack is zero, False
    or None there, and its ``_key`` mask False."""
    keys: dict[str, Any] = {}
    for info, _ in infos:
        for key, value in info.items():
            keys.setdefault(key, value)
    joined: dict[str, Any] = {}
    for key, example in keys.items():
        if isinstance(example, dict):
            joined[key] = _concat_infos([(info.get(key, {}), n) for info, n in infos])
            continue
        example = np.asarray(example)
        pieces = []
        for info, n in infos:
            if key in info:
                pieces.append(np.asarray(info[key]))
            elif example.dtype == object:
                pieces.append(np.full((n, *example.shape[1:]), None, dtype=object))
            else:
                pieces.append(np.zeros((n, *example.shape[1:]), dtype=example.dtype))
        joined[key] = np.concatenate(pieces)
    return joined
