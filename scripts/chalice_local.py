"""Start and stop the API with `chalice local`, the way the local stack and the tests do.

    api = chalice_local.start(port, {"DYNAMODB_ENDPOINT": db.endpoint,
                                     "USINE_SITE_ORIGIN": "http://127.0.0.1:8000"})
    ...  # POST to f"{api.url}/requests"
    api.stop()

The process runs with `--no-autoreload` (one process, ours to stop) from `serverless/`;
it gets this process's environment plus `env`, and the Chalice stage's own variables
(TABLE_NAME, USINE_STAGE) on top, as on Lambda. start() returns once the app answers an
HTTP request, not merely once the port is open. Output goes to a log file (its tail is
quoted if the server fails to start) unless `log` says otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ports import ServiceError, require_free, stop_process, wait_for_port

REPO = Path(__file__).resolve().parent.parent
SERVERLESS = REPO / "serverless"
DEFAULT_STAGE = "local"
READY_PATH = "/requests"  # answers OPTIONS (the CORS preflight) without touching storage


def chalice_command() -> list[str]:
    """The `chalice` console script of this interpreter's environment."""
    beside = Path(sys.executable).with_name("chalice")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("chalice")
    if found:
        return [found]
    raise ServiceError("chalice is not installed in this Python environment "
                       "(pip install chalice; scripts/setup.sh does it)")


@dataclass
class ChaliceLocal:
    """A running `chalice local` server."""

    process: subprocess.Popen
    port: int
    host: str = "127.0.0.1"
    log_path: Path | None = None
    _log_file: Any = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """Base URL of the API, without a trailing slash: f"{api.url}/requests"."""
        return f"http://{self.host}:{self.port}"

    def log_text(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.process)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> "ChaliceLocal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait_until_answering(server: ChaliceLocal, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    wait_for_port(server.port, server.host, timeout=timeout, proc=server.process,
                  name="chalice local")
    last = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        request = urllib.request.Request(server.url + READY_PATH, method="OPTIONS")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as err:  # any answer from the app means it is up
            if err.code < 500:
                return
            last = err
        except OSError as err:
            last = err
        time.sleep(0.1)
    raise ServiceError(f"chalice local on port {server.port} did not answer "
                       f"OPTIONS {READY_PATH} ({last})")


def start(port: int, env: Mapping[str, str] | None = None, *, stage: str = DEFAULT_STAGE,
          host: str = "127.0.0.1", timeout: float = 60.0, log: Any = None) -> ChaliceLocal:
    """Start `chalice local --stage <stage>` on host:port and wait until it answers.

    env: variables added to this process's environment (DYNAMODB_ENDPOINT,
    USINE_MANIFEST, USINE_SITE_ORIGIN, USINE_HUB_CONFIG, AWS_*...).
    log: None for a temporary log file (``server.log_path``), or anything
    subprocess.Popen takes as stdout (subprocess.DEVNULL, sys.stdout, a file).
    """
    require_free(port, "API (chalice local)", host)
    full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    log_path = None
    log_file = None
    if log is None:
        handle, name = tempfile.mkstemp(prefix=f"chalice-local-{port}-", suffix=".log")
        os.close(handle)
        log_path = Path(name)
        log_file = log = open(log_path, "wb")  # noqa: SIM115 - closed by stop()
    cmd = chalice_command() + ["--project-dir", str(SERVERLESS), "local", "--host", host,
                               "--port", str(port), "--stage", stage, "--no-autoreload"]
    process = subprocess.Popen(cmd, cwd=SERVERLESS, env=full_env, stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = ChaliceLocal(process, port, host, log_path, log_file)
    try:
        _wait_until_answering(server, timeout)
    except ServiceError as err:
        server.stop()
        tail = "\n".join(server.log_text().splitlines()[-20:])
        raise ServiceError(f"{err}\n{tail}" if tail else str(err)) from None
    return server


if __name__ == "__main__":  # a quick manual run: python scripts/chalice_local.py [port]
    api = start(int(sys.argv[1]) if len(sys.argv) > 1 else 8001, log=sys.stdout)
    print(f"API on {api.url} (Ctrl-C stops it)", flush=True)
    try:
        api.process.wait()
    except KeyboardInterrupt:
        api.stop()
