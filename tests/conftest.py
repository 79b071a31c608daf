"""Fixtures shared by every test folder: real local services on free ports."""

from __future__ import annotations

import os

import pytest

import dynamodb_local
from ports import free_port

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
