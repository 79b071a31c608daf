"""The whole stack for browser tests, on free ports: DynamoDB Local, the real API under
`chalice local`, the site built to post to it and served over HTTP, and Debian's Chromium
driven by Playwright.

The site and the API are fed the fake hub of tests/site/fakehub.py (two small designs
with real files), so these tests do not wait for a CAD build. `static_site` is the same
site without the API (pages that post nothing), `real_static_site` the site of the
repository's designs (build/manifest.json, built if missing).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import build_site
import chalice_local
from ports import free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# The closed-network flags, and software WebGL for the 3D preview (<model-viewer>).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--use-gl=swiftshader", "--enable-unsafe-swiftshader"]


def _load_fakehub():
    spec = importlib.util.spec_from_file_location("usine_fakehub",
                                                  REPO / "tests" / "site" / "fakehub.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def hub_env(tmp_path_factory) -> dict[str, str]:
    return _load_fakehub().make_fake_hub(tmp_path_factory.mktemp("browser-hub"))


@pytest.fixture(scope="session")
def site_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def site_origin(site_port) -> str:
    return f"http://127.0.0.1:{site_port}"


@pytest.fixture(scope="session")
def api_url(dynamodb_endpoint, hub_env, site_origin):
    """The real API (`chalice local`, stage local) on DynamoDB Local."""
    import boto3
    from chalicelib.tables import ensure_table

    stage = json.loads((REPO / "serverless" / ".chalice" / "config.json").read_text())
    table = stage["stages"]["local"]["environment_variables"]["TABLE_NAME"]
    ensure_table(boto3.client("dynamodb", endpoint_url=dynamodb_endpoint), table)
    api = chalice_local.start(free_port(), {
        "DYNAMODB_ENDPOINT": dynamodb_endpoint, "USINE_SITE_ORIGIN": site_origin,
        "USINE_MANIFEST": hub_env["USINE_MANIFEST"],
        "USINE_HUB_CONFIG": hub_env["USINE_HUB_CONFIG"],
        # Every browser test posts from 127.0.0.1: one shared allowance would make them
        # depend on each other's count. The limit itself is tested in tests/api.
        "USINE_RATE_LIMIT": "0"})
    try:
        yield api.url
    finally:
        api.stop()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def _build(env: dict[str, str], site: Path) -> None:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        build_site.build(site)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _serve(site: Path):
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def static_site(hub_env, tmp_path_factory) -> Path:
    """The fake hub's site (every language, strict), built without an API."""
    site = tmp_path_factory.mktemp("static-site")
    _build({**hub_env, "USINE_STAGE": "local"}, site)
    return site


@pytest.fixture(scope="session")
def static_site_url(static_site):
    with _serve(static_site) as url:
        yield url


@pytest.fixture(scope="session")
def real_static_site_url(tmp_path_factory, real_manifest):
    """The site of the repository's designs, served over HTTP."""
    site = tmp_path_factory.mktemp("real-static-site")
    _build({"USINE_STAGE": "local", "USINE_MANIFEST": str(real_manifest)}, site)
    with _serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def site_url(hub_env, api_url, site_port, tmp_path_factory) -> str:
    """The site, built (every language, strict) to post to the test API, served over HTTP."""
    site = tmp_path_factory.mktemp("browser-site")
    _build({**hub_env, "USINE_STAGE": "local", "USINE_API_BASE_URL": api_url}, site)
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{site_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """A page, with every network request it made and every script error it raised."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outside_requests(self) -> list[str]:
        """Requests that left 127.0.0.1 (data: and blob: URLs stay in the page)."""
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob"):
                continue
            if parts.scheme not in ("http", "https") or parts.hostname != "127.0.0.1":
                out.append(url)
        return out


@pytest.fixture
def tab(browser):
    context = browser.new_context()
    page = context.new_page()
    recorded = Tab(page)
    page.on("request", lambda request: recorded.requests.append(request.url))
    page.on("pageerror", lambda error: recorded.errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and recorded.errors.append(msg.text))
    try:
        yield recorded
    finally:
        context.close()
