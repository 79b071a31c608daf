"""Serve the hub locally: designs built, site built, API on DynamoDB Local, until Ctrl-C.

The ports come from hub.toml [local]; data is kept under .data/ so that requests survive
a restart. Each step is cached, so a second run starts in seconds. The API sends its
e-mails to a local SMTP server (aiosmtpd) that sends nothing on: it saves each message as
a file under .data/mail/ and prints where.
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
import time
import tomllib
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "serverless"))  # the API's own package, for its table schema

import chalice_local  # noqa: E402
import dynamodb_local  # noqa: E402
from chalicelib.tables import TOOL_CLIENT_CONFIG, connect, ensure_table  # noqa: E402
from ports import ServiceError, require_free  # noqa: E402

PYTHON = sys.executable
STAGE = "local"
MAIL_DIR = REPO / ".data" / "mail"
LOCAL_MAIL_FROM = "usine@localhost"


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


class SaveMail:
    """aiosmtpd handler: each message received becomes ``<folder>/<time>-<id>.eml``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        partial = self.folder / (name + ".part")
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(self.folder / name)
        shown = (self.folder / name).relative_to(REPO) if self.folder.is_relative_to(REPO) \
            else self.folder / name
        print(f"==> E-mail saved: {shown}", flush=True)
        return "250 Message accepted for delivery"


def start_mail_server(port: int, folder: Path = MAIL_DIR, host: str = "127.0.0.1"):
    """A local SMTP server on host:port that saves what it receives (see SaveMail);
    returns the started aiosmtpd Controller (``.stop()`` stops it)."""
    from aiosmtpd.controller import Controller

    controller = Controller(SaveMail(folder), hostname=host, port=port, ready_timeout=10.0)
    try:
        controller.start()
    except Exception as err:  # aiosmtpd raises its own types when the port is taken
        raise ServiceError(f"the mail server could not start on {host}:{port}: {err}") from err
    return controller


def main() -> int:
    hub = tomllib.loads((REPO / "hub.toml").read_text())
    ports = hub["local"]
    stage = hub["stages"][STAGE]
    site_port, api_port, db_port = ports["site_port"], ports["api_port"], ports["dynamodb_port"]
    smtp_port = ports.get("smtp_port", 8025)
    try:
        for port, what in ((site_port, "site"), (api_port, "API"), (db_port, "DynamoDB Local"),
                           (smtp_port, "mail (SMTP)")):
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

        print("==> Starting the mail server (e-mails saved in .data/mail)", flush=True)
        mail = start_mail_server(smtp_port)
        started.append(mail.stop)

        print("==> Starting the API (chalice local)", flush=True)
        api = chalice_local.start(api_port, {**aws_env, "DYNAMODB_ENDPOINT": db.endpoint,
                                             "USINE_SITE_ORIGIN": stage["site_origin"],
                                             "USINE_SMTP": f"127.0.0.1:{smtp_port}",
                                             "USINE_MAIL_FROM": os.environ.get(
                                                 "USINE_MAIL_FROM", LOCAL_MAIL_FROM)},
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
          f"  mail       smtp://127.0.0.1:{smtp_port}  (nothing is sent on: each e-mail is "
          f"saved in .data/mail/)\n"
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
