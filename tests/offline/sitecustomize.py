"""A machine with no network but loopback, for the servers' offline tests.

Put this folder on PYTHONPATH and name a log file in WARGAME_NETWORK_LOG: every
Python process started so (and those it starts, which inherit the environment)
then fails to resolve or reach any address but loopback, as in a classroom with
no internet, and appends each such attempt to the log. A name lookup first
waits WARGAME_NETWORK_HANG seconds (0 if unset), as a resolver that gets no
answer does, so that a server which looks a name up starts that much later.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import time

LOG = os.environ.get("WARGAME_NETWORK_LOG")
HANG = float(os.environ.get("WARGAME_NETWORK_HANG", "0"))
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _loopback(host: object) -> bool:
    if host is None:
        return True  # a passive (listening) lookup
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified  # 0.0.0.0: this machine


def _note(what: str) -> None:
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {what}\n")


_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def getaddrinfo(host, port, *args, **kwargs):
    if not _loopback(host):
        _note(f"resolve {host}:{port}")
        time.sleep(HANG)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (offline test)")
    return _getaddrinfo(host, port, *args, **kwargs)


def _refused(sock: socket.socket, address: object) -> bool:
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or _loopback(address[0]):
        return False
    _note(f"connect {address[0]}:{address[1]}")
    return True


def connect(self, address):
    if _refused(self, address):
        raise OSError(errno.ENETUNREACH, "Network is unreachable (offline test)")
    return _connect(self, address)


def connect_ex(self, address):
    if _refused(self, address):
        return errno.ENETUNREACH
    return _connect_ex(self, address)


if LOG:
    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
