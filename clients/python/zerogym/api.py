"""The entry points: ``make``, ``make_vec`` and ``list_envs``, as ``gymnasium.make``/``make_vec`` for a server."""

from __future__ import annotations

from functools import partial
from typing import Any

from zerogym.connection import DEFAULT_ADDRESS, Connection
from zerogym.env import ZeroGymEnv
from zerogym.errors import InvalidArgumentError
from zerogym.fanout import ClusterVectorEnv
from zerogym.remote import field
from zerogym.security import curve_keys
from zerogym.vector import ZeroGymVectorEnv


def make(env_id: str, address: str = DEFAULT_ADDRESS, timeout: float | None = 30.0,
         render_mode: str | None = None, curve_server_key: str | None = None, curve_client_key: str | None = None,
         spin_us: int | None = None, **kwargs: Any) -> ZeroGymEnv:
    """Makes the env ``env_id`` in the ZeroGym server at ``address``.

    Args:
        env_id: the server's env id, e.g. ``"CartPole-v1"`` (``list_envs()`` lists them).
        address: the server's endpoint, ``tcp://HOST:PORT`` or ``ipc://PATH``.
        timeout: seconds to wait for each reply before raising ``ServerTimeoutError`` (None: forever).
        render_mode: None or one of the env's render modes, e.g. ``"rgb_array"``.
        curve_server_key: for a server started with ``--curve-secret-key``: its public key, the ``NAME.pub`` file
            of ``scripts/keygen`` or the 40 Z85 characters. Needs ``curve_client_key``.
        curve_client_key: this client's key pair, a ``NAME.key`` file or its secret key in Z85; the server must
            list its public key in ``--authorized-keys``.
        spin_us: microseconds to poll for each reply before blocking (None: ``ZEROGYM_SPIN_US``, 0 if unset). On
            an otherwise idle VM, polling saves the wake-up of a sleeping CPU on every step; it keeps one CPU busy
            meanwhile (yielding it to any other thread that asks), which can slow a busy machine down.
        **kwargs: the env's keyword arguments, plus ``max_episode_steps`` to override its time limit.

    Example:
        >>> env = zerogym.make("CartPole-v1")
        >>> obs, info = env.reset(seed=42)
        >>> obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
    """
    env = ZeroGymEnv(env_id, address=address, timeout=timeout, render_mode=render_mode, kwargs=kwargs,
                     curve=curve_keys(curve_server_key, curve_client_key), spin_us=spin_us)
    env._reconnect = partial(make, env_id, address=address, timeout=timeout, render_mode=render_mode,
                             curve_server_key=curve_server_key, curve_client_key=curve_client_key, spin_us=spin_us,
                             **kwargs)
    return env


def make_vec(env_id: str, num_envs: int, *, batch_size: int | None = None, autoreset_mode: str = "next_step",
             address: str = DEFAULT_ADDRESS, placement: str = "local", on_node_lost: str = "raise",
             timeout: float | None = 30.0, render_mode: str | None = None, curve_server_key: str | None = None,
             curve_client_key: str | None = None, spin_us: int | None = None,
             **kwargs: Any) -> ZeroGymVectorEnv | ClusterVectorEnv:
    """Makes ``num_envs`` copies of ``env_id`` in the server, stepped together (next-step autoreset).

    Args:
        placement: where the sub-envs run when ``address`` is a node of a cluster (SPEC.md §3.5): ``"local"`` (the
            default) all on that node, exactly a single server's vector env; ``"spread"`` balanced over the live
            nodes by free capacity, ``"pack"`` filling that node first: a ``ClusterVectorEnv`` talking to each node
            directly (``venv.nodes`` lists each sub-env's endpoint). ``spread``/``pack`` need a cluster.
        on_node_lost: for ``spread``/``pack``, what a node that stops answering does (noticed within about 2 s):
            ``"raise"`` raises ``NodeLostError`` from the next call, ``reset()`` makes its sub-envs anew elsewhere;
            ``"recreate"`` makes them anew on live nodes at once and returns them truncated with
            ``infos["node_lost"]`` true, their next step being their reset (seeded ``seed + i`` after an int seed).
        batch_size: how many sub-envs ``recv()`` answers with, the first to finish (1 to ``num_envs``; None:
            ``num_envs``). Fewer than ``num_envs`` needs a server with the ``async_vector`` capability.
        autoreset_mode: what a sub-env does after its episode ends, as Gymnasium's ``AutoresetMode``:
            ``"next_step"`` (reset on the next step, the default), ``"same_step"`` (reset in the ending step, the
            final observation in ``infos["final_obs"]``) or ``"disabled"`` (reset ended sub-envs yourself with
            ``reset(options={"reset_mask": mask})``).
        Other arguments are those of ``make``.

    Example, synchronous:
        >>> envs = zerogym.make_vec("CartPole-v1", num_envs=8)
        >>> obs, infos = envs.reset(seed=42)
        >>> obs, rewards, terminations, truncations, infos = envs.step(envs.action_space.sample())

    Asynchronous (EnvPool's loop): half the sub-envs step while the agent works on the other half's results.
        >>> envs = zerogym.make_vec("CartPole-v1", num_envs=128, batch_size=64)
        >>> envs.async_reset(seed=42)
        >>> obs, rewards, terminations, truncations, infos = envs.recv()
        >>> envs.send(policy(obs), infos["env_id"])

    Over a cluster: 96 sub-envs spread over its live nodes, remade elsewhere when a node dies.
        >>> envs = zerogym.make_vec("CartPole-v1", 96, address="tcp://node-1:5555", placement="spread",
        ...                         on_node_lost="recreate")
    """
    if placement != "local":
        if autoreset_mode != "next_step":
            raise InvalidArgumentError(f"a vector env over several nodes autoresets on the next step; got "
                                       f"autoreset_mode={autoreset_mode!r}")
        curve = curve_keys(curve_server_key, curve_client_key)

        def make_part(endpoint: str, count: int, heartbeat: float) -> ZeroGymVectorEnv:
            return ZeroGymVectorEnv(env_id, count, address=endpoint, timeout=timeout, render_mode=render_mode,
                                    kwargs=kwargs, curve=curve, spin_us=spin_us, heartbeat=heartbeat)

        return ClusterVectorEnv(env_id, num_envs, address=address, placement=placement, on_node_lost=on_node_lost,
                                batch_size=batch_size, timeout=timeout, make_part=make_part,
                                connect=lambda endpoint: Connection(endpoint, timeout, curve))
    envs = ZeroGymVectorEnv(env_id, num_envs, address=address, timeout=timeout, render_mode=render_mode,
                            kwargs=kwargs, curve=curve_keys(curve_server_key, curve_client_key), spin_us=spin_us,
                            batch_size=batch_size, autoreset_mode=autoreset_mode)
    envs._reconnect = partial(make_vec, env_id, num_envs, batch_size=batch_size, autoreset_mode=autoreset_mode,
                              address=address, timeout=timeout, render_mode=render_mode,
                              curve_server_key=curve_server_key, curve_client_key=curve_client_key, spin_us=spin_us,
                              **kwargs)
    return envs


def list_envs(address: str = DEFAULT_ADDRESS, timeout: float | None = 30.0, curve_server_key: str | None = None,
              curve_client_key: str | None = None) -> list[dict[str, Any]]:
    """The server's envs, one spec map each: ``id``, ``max_episode_steps``, ``reward_threshold``,
    ``nondeterministic``, ``kwargs`` (the defaults), ``render_modes``, ``description``, and ``source`` where the
    server says where the env comes from (``"built in"``, ``"assembly MyEnvs.dll"``). Arguments as ``make``'s."""
    connection = Connection(address, timeout, curve_keys(curve_server_key, curve_client_key))
    try:
        return field(connection.request({"op": "list"}), "envs", "list")
    finally:
        connection.close()
