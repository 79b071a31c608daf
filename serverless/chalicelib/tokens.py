"""Secret tokens (tracking, editing) and the hashes the database keeps instead.

A token is 32 URL-safe characters (192 bits). The database keeps only its SHA-256. When a
write carries an ``Idempotency-Key``, its token is ``HMAC-SHA256(key, purpose:id)``: a
retry with the same key gets the same token back although the database never held it (it
holds the key's SHA-256 only). Without a key, the token is random.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

TOKEN_CHARS = 32


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")[:TOKEN_CHARS]


def new_token(purpose: str, record_id: str, idempotency_key: str | None) -> str:
    if idempotency_key is None:
        return _b64(secrets.token_bytes(24))
    mac = hmac.new(idempotency_key.encode("utf-8"), f"{purpose}:{record_id}".encode("utf-8"),
                   hashlib.sha256)
    return _b64(mac.digest())


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


def client_hash(source_ip: str | None) -> str:
    """A client's address, hashed: rate limiting needs identity, not the address."""
    return hashlib.sha256(f"client:{source_ip or 'unknown'}".encode("utf-8")).hexdigest()[:32]
