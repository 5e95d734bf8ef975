"""A guard for the test run: no process may use the network.

Every Python process of the test run (tests, notebook kernels, CLI subprocesses) loads it at start-up through
sitecustomize.py in this folder, which conftest.py puts on PYTHONPATH. A connection or name lookup to anything but this machine raises
NetworkBlocked and is written to $COURSE_NETWORK_LOG, so that the test session fails even when a library
catches the error and carries on (the Hugging Face libraries fall back to their caches silently)."""

import os
import socket
import traceback

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}


class NetworkBlocked(ConnectionError):
    """A test reached for the network; the course's tests must run offline."""


def _is_local(host):
    if isinstance(host, bytes):
        host = host.decode()
    return host in LOCAL_HOSTS or (isinstance(host, str) and (host.startswith("127.") or host.endswith(".localhost")))


def _blocked(what):
    log = os.environ.get("COURSE_NETWORK_LOG")
    if log:
        with open(log, "a") as file:
            file.write(f"pid {os.getpid()}: {what}\n{''.join(traceback.format_stack(limit=8))}\n")
    raise NetworkBlocked(f"the tests must not use the network, but something tried {what}")


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _guarded(original):
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            _blocked(f"a connection to {address!r}")
        return original(self, address)
    return connect


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _blocked(f"a name lookup of {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


def install():
    socket.socket.connect = _guarded(_connect)
    socket.socket.connect_ex = _guarded(_connect_ex)
    socket.getaddrinfo = _guarded_getaddrinfo
