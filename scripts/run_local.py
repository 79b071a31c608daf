"""Serve the hub locally: designs built, site built, API on DynamoDB Local, until Ctrl-C.

The ports come from hub.toml [local]; data is kept under .data/ so that requests survive
a restart. Each step is cached, so a second run starts in seconds.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "serverless"))  # the API's own package, for its table schema

import chalice_local  # noqa: E402
import dynamodb_local  # noqa: E402
from chalicelib.tables import TOOL_CLIENT_CONFIG, connect, ensure_table  # noqa: E402
from ports import ServiceError, require_free  # noqa: E402

PYTHON = sys.executable
STAGE = "local"


def chalice_table_name(stage: str) -> str:
    """The table name the Chalice stage config gives the app, so both use the same."""
    config = json.loads((REPO / "serverless" / ".chalice" / "config.json").read_text())
    return config["stages"][stage]["environment_variables"]["TABLE_NAME"]


SITE_INPUTS = ("mkdocs.yml", "hub.toml", "build/manifest.json", "docs", "designs", "scripts")


def site_inputs_digest() -> str:
    """A digest of everything the site is built from, to skip a build that changes nothing."""
    digest = hashlib.sha256(os.environ.get("USINE_API_BASE_URL", "").encode())
    for top in SITE_INPUTS:
        path = REPO / top
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or not file.exists():
                continue
            digest.update(str(file.relative_to(REPO)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def build_site_if_changed() -> None:
    stamp = REPO / "site" / ".inputs-sha256"
    digest = site_inputs_digest()
    if stamp.exists() and stamp.read_text() == digest:
        print("==> Site is up to date", flush=True)
        return
    run_step("Building the site", PYTHON, "scripts/build_site.py", env={"USINE_STAGE": STAGE})
    stamp.write_text(digest)


def run_step(title: str, *cmd: str, env: dict | None = None) -> None:
    print(f"==> {title}", flush=True)
    result = subprocess.run(cmd, cwd=REPO, env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise SystemExit(f"run: '{title}' failed (exit {result.returncode}); see above")


def serve_site(port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(QuietHandler, directory=str(REPO / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def main() -> int:
    hub = tomllib.loads((REPO / "hub.toml").read_text())
    ports = hub["local"]
    stage = hub["stages"][STAGE]
    site_port, api_port, db_port = ports["site_port"], ports["api_port"], ports["dynamodb_port"]
    try:
        for port, what in ((site_port, "site"), (api_port, "API"), (db_port, "DynamoDB Local")):
            require_free(port, what)
    except ServiceError as err:
        print(f"run: {err}", file=sys.stderr)
        return 1

    run_step("Building designs (cached)", PYTHON, "-m", "cad", "build")
    build_site_if_changed()

    started = []
    try:
        print("==> Starting DynamoDB Local (data in .data/dynamodb)", flush=True)
        db = dynamodb_local.start(db_port, db_path=REPO / ".data" / "dynamodb")
        started.append(db.stop)
        # DynamoDB Local accepts any alphanumeric key; never real credentials locally.
        aws_env = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                   "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-west-3")}
        os.environ.update(aws_env)
        ensure_table(connect(db.endpoint, client_config=TOOL_CLIENT_CONFIG),
                     chalice_table_name(STAGE))

        print("==> Starting the API (chalice local)", flush=True)
        api = chalice_local.start(api_port, {**aws_env, "DYNAMODB_ENDPOINT": db.endpoint,
                                             "USINE_SITE_ORIGIN": stage["site_origin"]},
                                  stage=STAGE, log=sys.stdout)
        started.append(api.stop)

        site = serve_site(site_port)
        started.append(site.shutdown)
    except BaseException as err:  # stop what did start, whatever went wrong
        for stop in reversed(started):
            stop()
        if isinstance(err, ServiceError):
            print(f"run: {err}", file=sys.stderr)
            return 1
        raise

    print(f"\nUsine is running:\n"
          f"  site       http://127.0.0.1:{site_port}/\n"
          f"  API        http://127.0.0.1:{api_port}/  (forms post here)\n"
          f"  DynamoDB   {db.endpoint}  (data in .data/dynamodb)\n"
          f"Press Ctrl-C to stop everything.", flush=True)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    status = 0
    try:
        # Wake up now and then to notice a service that died on its own.
        while not stopping.wait(1.0):
            for name, proc in (("DynamoDB Local", db.process), ("the API", api.process)):
                if proc.poll() is not None:
                    print(f"run: {name} stopped unexpectedly (exit {proc.returncode})",
                          file=sys.stderr)
                    status = 1
                    stopping.set()
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping...", flush=True)
        for stop in reversed(started):
            stop()
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C during a build step: the step stops with us
        print("\nStopped.", file=sys.stderr)
        sys.exit(130)
