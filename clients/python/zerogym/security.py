"""CURVE keys for encrypted, authenticated connections (SPEC.md §6).

A key option takes the key itself (40 Z85 characters) or the path of a file from ``scripts/keygen NAME``:
``NAME.pub`` holds the public key alone, ``NAME.key`` the pair as ``public-key = ...`` and ``secret-key = ...``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import zmq
from zmq.utils import z85

KEY_LENGTH = 40
"""A CURVE key is 32 bytes: 40 characters of Z85."""


@dataclass(frozen=True)
class CurveKeys:
    """What a client needs for CURVE: the server's public key and its own key pair (all Z85)."""

    server_public: str
    public: str
    secret: str

    def __repr__(self) -> str:  # never print the secret key
        return f"CurveKeys(server_public={self.server_public!r}, public={self.public!r})"

    def apply(self, socket: zmq.Socket) -> None:
        """Makes ``socket`` a CURVE client of the server; call before ``connect``."""
        socket.curve_serverkey = self.server_public.encode("ascii")
        socket.curve_publickey = self.public.encode("ascii")
        socket.curve_secretkey = self.secret.encode("ascii")


def curve_keys(server_key: str | os.PathLike | None, client_key: str | os.PathLike | None) -> CurveKeys | None:
    """The keys of ``make(..., curve_server_key=..., curve_client_key=...)``; None when neither is given."""
    if server_key is None and client_key is None:
        return None
    if server_key is None or client_key is None:
        raise ValueError("curve_server_key and curve_client_key go together: the server's public key (NAME.pub) "
                         "and this client's key pair (NAME.key)")
    server_public = read_public_key(server_key, "curve_server_key")
    public, secret = read_key_pair(client_key, "curve_client_key")
    return CurveKeys(server_public, public, secret)


def read_public_key(key_or_path: str | os.PathLike, what: str = "public key") -> str:
    """A public key given as Z85 text, a ``NAME.pub`` file, or a ``NAME.key`` file (its public half)."""
    if is_key_text(key_or_path):
        return str(key_or_path)
    lines = _read_lines(key_or_path, what)
    public = _field(lines, "public-key")
    if public is not None:
        return _check_key(public, key_or_path, what)
    bare = [line for line in lines if _field([line], "secret-key") is None]
    if len(bare) != 1:
        raise ValueError(f"{what}: {key_or_path} should hold one Z85 public key (a NAME.pub from scripts/keygen); "
                         f"found {len(bare)} key lines")
    return _check_key(bare[0].split()[0], key_or_path, what)


def read_key_pair(key_or_path: str | os.PathLike, what: str = "key pair") -> tuple[str, str]:
    """(public, secret) from a secret key in Z85 (its public key is derived) or a ``NAME.key`` file."""
    if is_key_text(key_or_path):
        secret = str(key_or_path)
        return zmq.curve_public(secret.encode("ascii")).decode("ascii"), secret
    lines = _read_lines(key_or_path, what)
    field = _field(lines, "secret-key")
    if field is None:
        raise ValueError(f"{what}: {key_or_path} holds no 'secret-key = ...' line; give the NAME.key file "
                         f"scripts/keygen wrote, not NAME.pub")
    secret = _check_key(field, key_or_path, what)
    public = zmq.curve_public(secret.encode("ascii")).decode("ascii")
    written = _field(lines, "public-key")
    if written is not None and written != public:
        raise ValueError(f"{what}: in {key_or_path} the public key does not belong to the secret key; "
                         f"make a new pair with scripts/keygen")
    return public, secret


def is_key_text(value: str | os.PathLike) -> bool:
    if not isinstance(value, str) or len(value) != KEY_LENGTH or os.path.exists(value):
        return False
    try:
        return len(z85.decode(value)) == 32
    except (ValueError, KeyError, TypeError):
        return False


def _read_lines(path: str | os.PathLike, what: str) -> list[str]:
    try:
        with open(path, encoding="ascii") as file:
            lines = [line.strip() for line in file]
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{what}: {_shorten(str(path))!r} is neither a key ({KEY_LENGTH} Z85 characters) nor a "
                         f"readable key file: {error}") from None
    # Z85 uses '#' and '=' too, so a comment is a whole line starting with '#'.
    return [line for line in lines if line and not line.startswith("#")]


def _field(lines: list[str], name: str) -> str | None:
    for line in lines:
        if line.startswith(name):
            rest = line[len(name):].lstrip()
            if rest.startswith("="):
                return rest[1:].strip().strip('"')
    return None


def _check_key(key: str, path: str | os.PathLike, what: str) -> str:
    if not is_key_text(key):
        raise ValueError(f"{what}: {path} holds {_shorten(key)!r} where a {KEY_LENGTH}-character Z85 key belongs")
    return key


def _shorten(text: str) -> str:
    return text[:8] + "…" if len(text) > 12 else text
