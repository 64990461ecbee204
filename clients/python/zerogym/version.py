"""The client's version, sent to the server in ``hello`` for its log."""

__version__ = "0.1.0"
