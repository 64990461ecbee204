"""ZeroGym's Python client: Gymnasium envs whose dynamics run in a ZeroGym server.

    >>> import zerogym
    >>> env = zerogym.make("CartPole-v1", address="tcp://127.0.0.1:5555")
    >>> obs, info = env.reset(seed=42)

With Gymnasium installed the envs are ``gymnasium.Env``/``gymnasium.vector.VectorEnv`` subclasses with
``gymnasium.spaces``; without it they use ``zerogym.spaces`` (``USING_GYMNASIUM`` says which).
"""

from zerogym.api import list_envs, make, make_vec
from zerogym.cluster import NodeInfo, list_nodes, place
from zerogym.compat import USING_GYMNASIUM
from zerogym.connection import DEFAULT_ADDRESS, PROTOCOL_VERSION
from zerogym.env import ZeroGymEnv
from zerogym.errors import (
    EnvFailureError,
    InternalServerError,
    InvalidActionError,
    InvalidArgumentError,
    LimitExceededError,
    MalformedRequestError,
    MessageTooLargeError,
    NodeLostError,
    NotRenderingError,
    ProtocolError,
    ResetNeededError,
    ServerTimeoutError,
    SubEnvError,
    UnknownEnvError,
    UnknownHandleError,
    UnknownOpError,
    VersionMismatchError,
    ZeroGymError,
)
from zerogym.fanout import ClusterVectorEnv
from zerogym.vector import ZeroGymVectorEnv
from zerogym.version import __version__

__all__ = [
    "make",
    "make_vec",
    "list_envs",
    "list_nodes",
    "place",
    "NodeInfo",
    "ZeroGymEnv",
    "ZeroGymVectorEnv",
    "ClusterVectorEnv",
    "USING_GYMNASIUM",
    "DEFAULT_ADDRESS",
    "PROTOCOL_VERSION",
    "ZeroGymError",
    "MalformedRequestError",
    "MessageTooLargeError",
    "VersionMismatchError",
    "UnknownOpError",
    "UnknownEnvError",
    "InvalidArgumentError",
    "UnknownHandleError",
    "InvalidActionError",
    "ResetNeededError",
    "NotRenderingError",
    "LimitExceededError",
    "EnvFailureError",
    "InternalServerError",
    "ProtocolError",
    "ServerTimeoutError",
    "SubEnvError",
    "NodeLostError",
    "__version__",
]
