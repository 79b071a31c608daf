"""Secret tokens (tracking, editing), the hashes the database keeps instead, and derived ids.

A token is 32 URL-safe characters (192 bits); the database keeps only its SHA-256. Without
an ``Idempotency-Key`` a token is random. With one, it is ``HMAC-SHA256(server secret,
purpose:record:sha256(key))``, so a retry of the same write gets the same token back
although the database never held it, and nobody without the server secret (see
:mod:`.secret`) can compute it from the key, the reference and the body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any, Iterable

TOKEN_CHARS = 32


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")[:TOKEN_CHARS]


def keyed(key: bytes, *parts: str) -> bytes:
    """HMAC-SHA256 of the parts (joined unambiguously) under ``key``."""
    return hmac.new(key, json.dumps(parts).encode("utf-8"), hashlib.sha256).digest()


def new_token(purpose: str, record_id: str, key_hash: str | None,
              secret: bytes | None = None) -> str:
    """A random token, or (``key_hash`` given) the one this write's retries get again."""
    if key_hash is None:
        return _b64(secrets.token_bytes(24))
    if not secret:
        raise ValueError("a token derived from an idempotency key needs the server secret")
    return _b64(keyed(secret, "token", purpose, record_id, key_hash))


def rebuild_token(purpose: str, record_id: str, key_hash: str, stored_hash: Any,
                  secrets_in_use: Iterable[bytes]) -> str | None:
    """The token a replayed write first answered, under the current or a previous secret."""
    for secret in secrets_in_use:
        token = new_token(purpose, record_id, key_hash, secret)
        if token_matches(token, stored_hash):
            return token
    return None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str | None, stored_hash: Any) -> bool:
    """Constant-time comparison; False for a missing token or hash."""
    if not token or not isinstance(stored_hash, str):
        return False
    return hmac.compare_digest(token_hash(token), stored_hash)


def bearer(headers: Any) -> str | None:
    """The token of ``Authorization: Bearer <token>``, or None."""
    value = headers.get("authorization") or ""
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def key_hash(scope: str, idempotency_key: str) -> str:
    return hashlib.sha256(f"{scope}:{idempotency_key}".encode("utf-8")).hexdigest()


def body_hash(data: Any) -> str:
    """Hash of a decoded JSON body, independent of key order and whitespace."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

