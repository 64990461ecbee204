"""The cluster ops of SPEC.md §3.5: which nodes a cluster has, and where a vector env's sub-envs would go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zerogym.connection import DEFAULT_ADDRESS, Connection
from zerogym.errors import ProtocolError
from zerogym.remote import field
from zerogym.security import curve_keys

@dataclass(frozen=True)
class NodeInfo:
    """One node of a cluster, as the node asked sees it."""

    name: str
    """The node's name, unique in the cluster."""
    endpoint: str
    """Where to connect to it (an ``address`` for ``make``)."""
    status: str
    """``"active"``, or ``"dead"`` once the membership declared it dead or it left."""
    envs: int
    """Sub-envs it holds (0 when dead)."""
    steps_per_s: float
    """Sub-env steps per second over its last report, about a second old."""
    cores: int
    """Its CPU cores."""


def list_nodes(address: str = DEFAULT_ADDRESS, timeout: float | None = 30.0, curve_server_key: str | None = None,
               curve_client_key: str | None = None) -> list[NodeInfo]:
    """Every node of the cluster the server at ``address`` belongs to, in name order, dead ones included.

    Raises ``ZeroGymError`` (code ``unsupported``) when that server runs alone (no ``cluster`` capability).
    Arguments as ``make``'s."""
    with _connect(address, timeout, curve_server_key, curve_client_key) as connection:
        connection.require("cluster", "list_nodes() (a server started with --cluster redis://HOST:PORT)")
        nodes = field(connection.request({"op": "nodes"}), "nodes", "nodes")
        return [_node(node) for node in nodes]


def place(env_id: str, num_envs: int, placement: str = "spread", address: str = DEFAULT_ADDRESS,
          timeout: float | None = 30.0, curve_server_key: str | None = None,
          curve_client_key: str | None = None) -> list[str]:
    """Where the cluster would run the ``num_envs`` sub-envs of a vector env of ``env_id``: one endpoint per sub-env,
    those of one node consecutive. ``placement`` is ``"spread"``, ``"pack"`` or ``"local"``; nothing is made."""
    with _connect(address, timeout, curve_server_key, curve_client_key) as connection:
        connection.require("cluster", "place() (a server started with --cluster redis://HOST:PORT)")
        reply = connection.request({"op": "place", "env": env_id, "num_envs": num_envs, "placement": placement})
        return list(field(reply, "endpoints", "place"))


class _connect:
    """A connection closed on leaving the ``with`` block."""

    def __init__(self, address: str, timeout: float | None, server_key: str | None, client_key: str | None) -> None:
        self.connection = Connection(address, timeout, curve_keys(server_key, client_key))

    def __enter__(self) -> Connection:
        return self.connection

    def __exit__(self, *_: Any) -> None:
        self.connection.close()


def _node(node: Any) -> NodeInfo:
    try:
        return NodeInfo(name=str(node["name"]), endpoint=str(node["endpoint"]), status=str(node["status"]),
                        envs=int(node["envs"]), steps_per_s=float(node["steps_per_s"]), cores=int(node["cores"]))
    except (KeyError, TypeError, ValueError) as error:
        raise ProtocolError(f"a node in the reply to 'nodes' does not follow SPEC.md §3.5: {node!r}") from error
