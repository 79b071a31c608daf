"""Fixtures of the API tests: a tiny manifest, the app under chalice.test.Client on moto."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from api_helpers import ORIGIN, SERVERLESS, STAGE, TABLE, write_hub, write_manifest
from smtp_fixture import smtp_server  # noqa: F401


@pytest.fixture
def manifest(tmp_path) -> Path:
    return write_manifest(tmp_path / "manifest.json")


@pytest.fixture
def hub(tmp_path) -> Path:
    return write_hub(tmp_path / "hub.toml")


@pytest.fixture
def api_env(monkeypatch, manifest, hub, tmp_path):
    """The environment the app reads at request time (no DynamoDB endpoint: moto)."""
    monkeypatch.setenv("USINE_SECRET_FILE", str(tmp_path / "server-secret"))
    monkeypatch.setenv("USINE_MANIFEST", str(manifest))
    monkeypatch.setenv("USINE_HUB_CONFIG", str(hub))
    monkeypatch.setenv("USINE_SITE_ORIGIN", ORIGIN)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    # Every test client is 127.0.0.1: the rate limit has tests of its own.
    monkeypatch.setenv("USINE_RATE_LIMIT", "0")
    for name in ("DYNAMODB_ENDPOINT", "USINE_STAGE", "AWS_PROFILE", "AWS_REGION",
                 "USINE_SECRET_ARN"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture(scope="session")
def moto():
    """moto, imported before any boto3 client of the tests or the app is built.

    moto intercepts every client built after its import, whenever a mock_aws() context is
    active, and each context starts empty; so clients (the app caches its store) can be
    reused from test to test, which saves ~0.1 s of botocore loading per client.
    """
    import moto

    return moto


@pytest.fixture
def app_module(moto):
    """serverless/app.py (its store cache is kept: see the moto fixture)."""
    import app as app_module

    return app_module


@pytest.fixture
def aws(api_env, moto):
    with moto.mock_aws():
        yield


@pytest.fixture(scope="session")
def moto_resource(moto):
    from chalicelib import tables

    return tables.connect(region="eu-west-3")


@pytest.fixture
def table(aws, moto_resource):
    """The stage's table, created in a fresh moto backend."""
    from chalicelib import tables

    tables.ensure_table(moto_resource.meta.client, TABLE)
    return moto_resource.Table(TABLE)


@pytest.fixture
def client(app_module, table):
    from chalice.test import Client

    with Client(app_module.app, stage_name=STAGE, project_dir=str(SERVERLESS)) as c:
        yield c


class LogLines:
    """The lines the app's own JSON log handler wrote (read live); ``records`` parses them."""

    def __init__(self, stream):
        self.stream = stream

    def _lines(self):
        return self.stream.getvalue().splitlines()

    def __iter__(self):
        return iter(self._lines())

    def __len__(self):
        return len(self._lines())

    def __getitem__(self, index):
        return self._lines()[index]

    @property
    def records(self):
        return [json.loads(line) for line in self._lines()]


@pytest.fixture
def app_logs(app_module):
    """Everything the app logs (logger "usine" and its children) during the test, as the
    handler app.py installs writes it: one JSON object per line."""
    from chalicelib import logs

    handler = logs.handler()
    logger = logging.getLogger("usine")
    level = logger.level
    stream = io.StringIO()
    handler.setStream(stream)
    logger.setLevel(logging.DEBUG)
    try:
        yield LogLines(stream)
    finally:
        handler.stream = None  # back to whatever sys.stdout is
        logger.setLevel(level)
