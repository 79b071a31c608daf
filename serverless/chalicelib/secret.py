"""The server's secret: the key of every token and fake answer the API derives.

Tokens must not be computable from what a client sends (its ``Idempotency-Key``, the
reference, the body), so each derived value is an HMAC keyed with this secret:

- on AWS, ``USINE_SECRET_ARN`` names a Secrets Manager secret (made by the deploy
  template); its ``AWSCURRENT`` and ``AWSPREVIOUS`` versions are read by a container's
  first request, and again every ``REFRESH_SECONDS`` (a rotation reaches warm containers);
- locally, ``USINE_SECRET_FILE`` (default ``.data/server-secret`` in the repository) is
  generated once, readable by its owner only.

Rotation: put a new value (``aws secretsmanager put-secret-value``, or a new file with the
old value on its second line). Tokens already handed out keep working: the table holds
their SHA-256, not the secret. Only a replay of a write made before the rotation needs the
previous value, to give the same token again: keep it for the 24 h of the idempotency
window (Secrets Manager keeps it as ``AWSPREVIOUS``).
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from .config import REPO_DIR, ConfigError

MIN_BYTES = 32
DEFAULT_FILE = REPO_DIR / ".data" / "server-secret"

REFRESH_SECONDS = 600.0

_CACHE: dict[str, tuple[float, tuple[bytes, ...]]] = {}


def keys(environ: Any = None) -> tuple[bytes, ...]:
    """The secret's values, current first; read again after ``REFRESH_SECONDS``."""
    env = os.environ if environ is None else environ
    arn = env.get("USINE_SECRET_ARN")
    source = f"arn:{arn}" if arn else f"file:{env.get('USINE_SECRET_FILE') or DEFAULT_FILE}"
    hit = _CACHE.get(source)
    if hit is None or time.monotonic() - hit[0] > REFRESH_SECONDS:
        values = _from_secrets_manager(arn) if arn else _from_file(Path(source[5:]))
        _CACHE[source] = (time.monotonic(), tuple(v.encode("utf-8") for v in values))
    return _CACHE[source][1]


def _checked(values: list[str], where: str) -> list[str]:
    values = [v.strip() for v in values if v.strip()]
    if not values or len(values[0].encode("utf-8")) < MIN_BYTES:
        raise ConfigError(f"server secret in {where} is missing or shorter than {MIN_BYTES} bytes")
    return values


def _from_file(path: Path) -> list[str]:
    """Lines of the file, made with a fresh random value when it does not exist."""
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # O_EXCL: two processes starting together keep the first one's value.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
        except FileExistsError:
            pass
        except OSError as exc:
            raise ConfigError(f"cannot create the server secret {path}: {exc.strerror}") from None
    try:
        return _checked(path.read_text(encoding="utf-8").splitlines(), str(path))
    except OSError as exc:
        raise ConfigError(f"cannot read the server secret {path}: {exc.strerror}") from None


def _from_secrets_manager(arn: str) -> list[str]:
    import boto3.session  # only on AWS, only on the first write of a container
    from botocore.exceptions import ClientError

    from botocore.config import Config

    from .tables import SECRET_CLIENT_CONFIG

    client = boto3.session.Session().client("secretsmanager",
                                            config=Config(**SECRET_CLIENT_CONFIG))
    values = [client.get_secret_value(SecretId=arn)["SecretString"]]
    try:
        values.append(client.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")
                      ["SecretString"])
    except ClientError as exc:  # never rotated: there is no previous value
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
    return _checked(values, "Secrets Manager")


def forget() -> None:
    """Drop the cached values (tests; a rotation is picked up by new containers anyway)."""
    _CACHE.clear()
