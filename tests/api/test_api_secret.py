"""Tokens need the server secret: nothing a client sends or learns lets it compute one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
import uuid
from types import SimpleNamespace

import pytest

from api_helpers import JSON_HEADERS, body_of, post, valid_body
from chalicelib import secret, tokens
from chalicelib.config import ConfigError


def key() -> str:
    return str(uuid.uuid4())


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")[:32]


def guesses(k: str, reference: str, body: dict) -> set[str]:
    """What an attacker who knows the key, the reference and the body can compute."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    parts = [k, reference, canonical, tokens.key_hash("requests", k), tokens.body_hash(body),
             f"tracking:{reference}"]
    found = set()
    for a in parts:
        for b in parts:
            for algo in (hashlib.sha256, hashlib.sha512, hashlib.blake2b):
                found.add(b64(hmac.new(a.encode(), b.encode(), algo).digest()))
                found.add(b64(algo((a + b).encode()).digest()))
                found.add(b64(algo((a + ":" + b).encode()).digest()))
            found.add(b64(tokens.keyed(a.encode(), "token", "tracking", reference, b)))
            found.add(b64(tokens.keyed(a.encode(), b)))
    return found


def test_a_token_cannot_be_rebuilt_from_the_key_the_reference_and_the_body(client, table):
    k, body = key(), valid_body()
    data = body_of(post(client, body, {**JSON_HEADERS, "Idempotency-Key": k}))
    candidates = guesses(k, data["reference"], body)
    # The formula of the previous version, HMAC-SHA256(key, "tracking:" + reference):
    assert b64(hmac.new(k.encode(), f"tracking:{data['reference']}".encode(),
                        hashlib.sha256).digest()) in candidates
    assert data["tracking_token"] not in candidates


def test_the_token_of_a_keyed_write_depends_on_the_server_secret():
    from datetime import datetime, timezone

    from chalicelib.idempotency import Idempotency
    from chalicelib.store import RequestStore
    from test_api_units import part_request

    idem = Idempotency("requests", "same-key-0123456789", tokens.body_hash(valid_body()))
    now = datetime.now(timezone.utc)
    table = SimpleNamespace(name="usine-local")  # only its name is used to build actions
    made = {RequestStore(table, secrets=(value,)).transaction(
                "R-00000000", part_request(), now, idem).token
            for value in (b"a" * 40, b"b" * 40)}
    assert len(made) == 2  # same key, same reference, same body: another secret


def test_a_write_without_key_gets_a_random_token(client, table):
    first = body_of(post(client, valid_body()))["tracking_token"]
    second = body_of(post(client, valid_body()))["tracking_token"]
    assert first != second and len(first) == len(second) == 32


def test_local_secret_is_generated_once_and_private(tmp_path):
    path = tmp_path / "data" / "server-secret"
    env = {"USINE_SECRET_FILE": str(path)}
    secret.forget()
    first = secret.keys(env)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first) == 1 and len(first[0]) >= secret.MIN_BYTES
    secret.forget()
    assert secret.keys(env) == first  # read back, not made again


def test_a_short_secret_is_a_configuration_error(tmp_path):
    path = tmp_path / "server-secret"
    path.write_text("too-short\n")
    secret.forget()
    with pytest.raises(ConfigError):
        secret.keys({"USINE_SECRET_FILE": str(path)})


def test_a_replay_after_a_rotation_gets_the_same_token(client, table, api_env, tmp_path):
    path = tmp_path / "server-secret"
    k, body = key(), valid_body()
    first = body_of(post(client, body, {**JSON_HEADERS, "Idempotency-Key": k}))
    old = path.read_text().splitlines()[0]
    path.write_text("a-new-server-secret-of-enough-length-0123456789\n" + old + "\n")
    secret.forget()
    again = body_of(post(client, body, {**JSON_HEADERS, "Idempotency-Key": k}))
    assert again == first
    # New writes use the new value; tokens already handed out keep working.
    assert client.http.get(f"/requests/{first['reference']}", headers={
        "Authorization": f"Bearer {first['tracking_token']}"}).status_code == 200
    # Rotated again within the 24 h window: the token cannot be rebuilt. A fault of the
    # deployment that no retry mends (500), never another token.
    path.write_text("yet-another-server-secret-of-enough-length-0123\n")
    secret.forget()
    response = post(client, body, {**JSON_HEADERS, "Idempotency-Key": k})
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert first["tracking_token"] not in response.body.decode()
    secret.forget()


def test_secrets_manager_current_and_previous_values(aws, moto, monkeypatch):
    import boto3

    client = boto3.client("secretsmanager", region_name="eu-west-3")
    arn = client.create_secret(Name="usine-test-secret", SecretString="1" * 48)["ARN"]
    secret.forget()
    assert secret.keys({"USINE_SECRET_ARN": arn}) == (b"1" * 48,)
    client.put_secret_value(SecretId=arn, SecretString="2" * 48)
    assert secret.keys({"USINE_SECRET_ARN": arn}) == (b"1" * 48,)  # not on every request
    secret.forget()
    assert secret.keys({"USINE_SECRET_ARN": arn}) == (b"2" * 48, b"1" * 48)
    client.put_secret_value(SecretId=arn, SecretString="3" * 48)
    monkeypatch.setattr(secret, "REFRESH_SECONDS", 0.0)  # as after ten minutes
    assert secret.keys({"USINE_SECRET_ARN": arn}) == (b"3" * 48, b"2" * 48)
    secret.forget()
