"""The cluster ops of SPEC.md §3.5: which nodes a cluster has, and where a vector env's sub-envs would go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zerogym.connection import DEFAULT_ADDRESS, Connection
from zerogym.errors import ProtocolError, ZeroGymError
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
          curve_client_key: str | None = None, exclude: list[str] | None = None) -> list[str]:
    """Where the cluster would run the ``num_envs`` sub-envs of a vector env of ``env_id``: one endpoint per sub-env,
    those of one node consecutive. ``placement`` is ``"spread"``, ``"pack"`` or ``"local"``; nothing is made.
    ``exclude`` names nodes (names or endpoints) to leave out, e.g. nodes found unreachable before the membership
    declared them dead (protocol 1.3)."""
    with _connect(address, timeout, curve_server_key, curve_client_key) as connection:
        connection.require("cluster", "place() (a server started with --cluster redis://HOST:PORT)")
        return place_on(connection, env_id, num_envs, placement, exclude)


def place_on(connection: Connection, env_id: str, num_envs: int, placement: str,
             exclude: list[str] | None = None) -> list[str]:
    """``place`` over an open connection to a node."""
    request: dict[str, Any] = {"op": "place", "env": env_id, "num_envs": num_envs, "placement": placement}
    if exclude:
        request["exclude"] = list(exclude)
    endpoints = [str(endpoint) for endpoint in field(connection.request(request), "endpoints", "place")]
    # A node older than protocol 1.3 ignores the key it does not know: its plan may name an excluded node.
    excluded = next((endpoint for endpoint in endpoints if exclude and endpoint in exclude), None)
    if excluded is not None:
        raise ZeroGymError("unsupported", f"place(exclude=...) needs a node of protocol 1.3 or later; the node at "
                                          f"{connection.address} placed sub-envs on the excluded {excluded}")
    if len(endpoints) != num_envs:
        raise ProtocolError(f"asked where {num_envs} sub-envs go; the reply to 'place' names {len(endpoints)}")
    return endpoints


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
