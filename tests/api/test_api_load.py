"""Load and fault runs on loopback (DynamoDB Local + `chalice local`), bounded."""

from __future__ import annotations

import pytest

import load_api

pytestmark = pytest.mark.slow


def test_concurrent_clients_and_retries_store_each_acknowledged_request_once():
    result = load_api.run(clients=6, requests=10, retry_share=0.5, seed=7)
    assert result["ok"], result["problems"]
    assert result["acknowledged"] == result["keys"] == 60
    assert result["stored_requests"] == 60
    assert result["sent"] > 60  # retries with the same key did happen
    assert set(result["statuses"]) == {201}


def test_dynamodb_stopped_mid_load_gives_503s_and_loses_nothing_acknowledged():
    result = load_api.run(clients=4, requests=10, retry_share=0.3, fault=True,
                          outage_after=0.5, outage_seconds=1.0, seed=11)
    assert result["statuses"].get(503, 0) > 0, result
    assert result["ok"], result["problems"]  # nothing half-written, nothing lost
    assert result["acknowledged"] == result["stored_requests"] == result["keys"]
    assert result["gave_up"] == 0


# The schemathesis run is tests/api/test_api_fuzz.py.
