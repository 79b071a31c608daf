"""Ports of the local services: find a free one, check one is free, wait for one to open."""

from __future__ import annotations

import socket
import subprocess
import time


class ServiceError(RuntimeError):
    """A local service is missing, could not bind its port, or did not start."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the OS picks it), for tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def require_free(port: int, what: str, host: str = "127.0.0.1") -> None:
    """Fail with a message a person can act on when a port is taken."""
    if not port_is_free(port, host):
        raise ServiceError(f"port {port} ({what}) is already in use on {host}: stop the "
                           f"program that uses it, or change the port in hub.toml [local]")


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 30.0,
                  proc: subprocess.Popen | None = None, name: str = "service") -> None:
    """Block until something accepts connections on host:port, or fail clearly."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServiceError(f"{name} exited with code {proc.returncode} before "
                               f"listening on {host}:{port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise ServiceError(f"{name} did not listen on {host}:{port} within {timeout:.0f} s")


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Terminate, then kill if it does not exit in time."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
