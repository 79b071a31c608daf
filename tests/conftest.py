"""Fixtures shared by every test folder: real local services on free ports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import dynamodb_local
from ports import free_port

REPO = Path(__file__).resolve().parent.parent

# Fake, alphanumeric credentials: DynamoDB Local accepts any, boto3 insists on some, and
# no test may ever reach real AWS.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")


@pytest.fixture(scope="session")
def dynamodb_endpoint():
    """URL of a fresh in-memory DynamoDB Local on a free port, stopped after the session."""
    server = dynamodb_local.start(free_port())
    try:
        yield server.endpoint
    finally:
        server.stop()


@pytest.fixture(scope="session")
def real_manifest() -> Path:
    """build/manifest.json of the real designs, built with `python -m cad build` if absent."""
    manifest = REPO / "build" / "manifest.json"
    if not manifest.is_file():
        result = subprocess.run([sys.executable, "-m", "cad", "build"], cwd=REPO,
                                capture_output=True, text=True)
        if result.returncode != 0 or not manifest.is_file():
            pytest.fail("`python -m cad build` did not produce build/manifest.json:\n"
                        + result.stdout[-3000:] + result.stderr[-3000:])
    return manifest
