"""Errors raised by the ZeroGym client: one class per error code of the protocol (SPEC.md §3.2)."""

from __future__ import annotations

from typing import Any


class ZeroGymError(Exception):
    """An error reported by the ZeroGym server, or a reply the client cannot accept.

    Args:
        code: the protocol's error code (``"invalid_action"``, ...), for programs.
        message: what was expected and what was found, for people.
    """

    code: str

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self):
        # Subclasses take only a message, so pickling (multiprocessing, vector workers) rebuilds from both fields.
        return _restore, (type(self), self.code, self.message)


def _restore(cls: type[ZeroGymError], code: str, message: str) -> ZeroGymError:
    error = cls.__new__(cls)
    ZeroGymError.__init__(error, code, message)
    return error


class _CodedError(ZeroGymError):
    """A ZeroGymError whose code is fixed by its class."""

    def __init__(self, message: str):
        super().__init__(type(self).code, message)


class MalformedRequestError(_CodedError):
    """The server could not read the request (``malformed``): a client bug."""

    code = "malformed"


class MessageTooLargeError(_CodedError):
    """The request is larger than the server's ``max_message_bytes`` (``too_large``)."""

    code = "too_large"


class VersionMismatchError(_CodedError):
    """The server does not speak this client's protocol version (``version_mismatch``)."""

    code = "version_mismatch"


class UnknownOpError(_CodedError):
    """The server does not know the request's ``op`` (``unknown_op``)."""

    code = "unknown_op"


class UnknownEnvError(_CodedError):
    """``make`` named an env id the server does not have (``unknown_env``); the message lists what it has."""

    code = "unknown_env"


class InvalidArgumentError(_CodedError, ValueError):
    """A kwarg, ``num_envs``, ``render_mode``, seed or reset option is outside its domain (``invalid_argument``)."""

    code = "invalid_argument"


class UnknownHandleError(_CodedError):
    """The server no longer has the env (``unknown_handle``): it restarted, or closed the env after its idle timeout."""

    code = "unknown_handle"


class InvalidActionError(_CodedError, ValueError):
    """The action is not in the action space and cannot be converted to it (``invalid_action``)."""

    code = "invalid_action"


class ResetNeededError(_CodedError):
    """``step`` before the first ``reset`` or after the episode ended (``reset_needed``)."""

    code = "reset_needed"


class NotRenderingError(_CodedError):
    """``render`` on an env made without a ``render_mode`` (``not_rendering``)."""

    code = "not_rendering"


class LimitExceededError(_CodedError):
    """This connection already holds the server's maximum number of envs (``limit_exceeded``)."""

    code = "limit_exceeded"


class EnvFailureError(_CodedError):
    """The env itself failed on the server, which closed it (``env_failure``); ``reset()`` makes a new one."""

    code = "env_failure"


class InternalServerError(_CodedError):
    """A bug in the server (``internal``); its log has the details."""

    code = "internal"


class ProtocolError(_CodedError):
    """A reply that breaks the protocol: the client and server disagree on SPEC.md (a bug on one side)."""

    code = "protocol"


_ERRORS_BY_CODE: dict[str, type[_CodedError]] = {
    cls.code: cls
    for cls in (
        MalformedRequestError,
        MessageTooLargeError,
        VersionMismatchError,
        UnknownOpError,
        UnknownEnvError,
        InvalidArgumentError,
        UnknownHandleError,
        InvalidActionError,
        ResetNeededError,
        NotRenderingError,
        LimitExceededError,
        EnvFailureError,
        InternalServerError,
    )
}


def error_from_reply(error: Any) -> ZeroGymError:
    """The exception for a reply's ``error`` map ``{code, message}``; unknown codes give a plain ZeroGymError."""
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        return ProtocolError(f"expected an error map {{code, message}} in the reply; got {error!r}")
    code, message = error["code"], str(error.get("message", ""))
    cls = _ERRORS_BY_CODE.get(code)
    return cls(message) if cls is not None else ZeroGymError(code, message)


class ServerTimeoutError(TimeoutError):
    """The server did not answer a request within the client's timeout, or (``closed_by_server``) closed the same-host
    stream before answering: it stopped or restarted, and the client says so at once instead of waiting.

    The message names the endpoint, the request and what to check. After a synchronous call the client has already
    reopened its socket, so a late reply cannot be mistaken for the next one; envs made on the old socket are gone
    (``reset()`` remakes them). After a vector env's ``recv`` (``pending`` true) nothing was reset: the reply is still
    awaited, and the next ``recv()`` returns it (SPEC.md §3.4). A ``send`` the server did not take in time was not sent.
    """

    def __init__(self, address: str, op: str, timeout: float | None, encrypted: bool = False, pending: bool = False,
                 closed_by_server: bool = False):
        curve_hint = ("with CURVE, also that curve_server_key is the server's NAME.pub and that the server lists "
                      "this client's public key in --authorized-keys" if encrypted else
                      "a server started with --curve-secret-key answers only clients given curve_server_key and "
                      "curve_client_key")
        pending_hint = (" The request stays pending: call it again to go on waiting for the same reply."
                        if pending else "")
        what = (f"the ZeroGym server at {address} closed the connection before answering '{op}' (it stopped or "
                f"restarted)." if closed_by_server else f"the ZeroGym server at {address} did not answer '{op}' within "
                f"{timeout} s.")
        super().__init__(
            f"{what}{pending_hint} "
            f"Check that the server is running and bound to that address "
            f"(scripts/serve --bind {address}), that the host and port are right, "
            f"and that no firewall blocks the port; {curve_hint}."
        )
        self.address = address
        self.op = op
        self.timeout = timeout
        self.encrypted = encrypted
        self.pending = pending
        self.closed_by_server = closed_by_server

    def __reduce__(self):
        return type(self), (self.address, self.op, self.timeout, self.encrypted, self.pending, self.closed_by_server)


class SubEnvError(ZeroGymError):
    """Some sub-envs of a vector env's batch failed (SPEC.md §3.4), raised by ``recv`` (and ``step``, ``step_wait``).

    Nothing is lost: ``results`` holds the batch's other results as ``recv`` returns them, ``(obs, rewards,
    terminations, truncations, infos)`` with ``infos["env_id"]`` saying which sub-envs they belong to.

    Args:
        errors: sub-env index -> the ``ZeroGymError`` subclass of its error code. A sub-env whose action was outside
            the action space (``InvalidActionError``) is unchanged and may be sent to again; any other error
            (``EnvFailureError``) leaves it failed until ``reset()`` or ``async_reset()`` makes it anew.
        results: the 5-tuple of the batch's other sub-envs.
    """

    def __init__(self, errors: dict[int, ZeroGymError], results: tuple[Any, ...]):
        details = "; ".join(f"sub-env {env_id}: {error.code}: {error.message}" for env_id, error in errors.items())
        super().__init__("sub_env", f"{len(errors)} sub-env(s) of the batch failed ({details}); the results of the "
                                    f"others are in this error's .results")
        self.errors = errors
        self.results = results

    def __reduce__(self):
        return type(self), (self.errors, self.results)


class NodeLostError(ZeroGymError):
    """A node of the cluster that ran some sub-envs of a vector env stopped answering (killed, host gone): raised by
    the next call of a vector env made with ``on_node_lost="raise"``, at most about 2 s after the node went silent.

    The other sub-envs keep their state: ``results`` holds the call's results for them, as ``step``/``recv`` return
    them, with each lost sub-env at its last observation, reward 0, truncated, and ``infos["node_lost"]`` true (None
    when the call had no results to give). ``reset()`` makes the lost sub-envs anew on live nodes.

    Args:
        node: the endpoint of the node that was lost.
        env_ids: the sub-envs (indices of the vector env) it ran, sorted.
        results: the call's 5-tuple, or None.
    """

    def __init__(self, node: str, env_ids: list[int], results: tuple[Any, ...] | None = None):
        super().__init__("node_lost", f"the node at {node} stopped answering; it ran sub-envs {env_ids}, which are "
                                      f"lost (the others keep their state). reset() makes them anew on live nodes")
        self.node = node
        self.env_ids = env_ids
        self.results = results

    def __reduce__(self):
        return type(self), (self.node, self.env_ids, self.results)
