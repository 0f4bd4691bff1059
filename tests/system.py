"""Finds the system programs real-server tests need (redis-server, prometheus-pushgateway,
chromium): a missing one skips its test with the reason, or fails it under CI=true."""

from __future__ import annotations

import os
import shutil
import socket

import pytest

_PACKAGE = {"redis-server": "redis-server", "prometheus-pushgateway": "prometheus-pushgateway",
            "chromium": "chromium"}


def require_program(name: str) -> str:
    """The path of `name` on PATH; skip (or, under CI=true, fail) the test when it is missing."""
    path = shutil.which(name)
    if path:
        return path
    reason = (f"{name} is not installed (Debian package {_PACKAGE.get(name, name)}; "
              "`make test` installs it when run as root)")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
