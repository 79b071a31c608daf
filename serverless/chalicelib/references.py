"""Request references a person can read over the phone: ``R-`` + 8 Crockford base32 chars.

Crockford's alphabet has no I, L, O or U, so a reference read aloud or copied by hand is
not ambiguous; :func:`normalize_reference` maps the usual misreadings back. 32**8 (about
10**12) references: a collision is rare and the store retries it.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "R-"
LENGTH = 8

_MISREAD = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SHAPE = re.compile(rf"^{re.escape(PREFIX)}[{ALPHABET}]{{{LENGTH}}}$")


def new_reference() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def is_reference(text: str) -> bool:
    return bool(_SHAPE.match(text))


def normalize_reference(text: str) -> str | None:
    """``" r-7k3m 9q2x "`` or ``"7K3M9Q2X"`` -> ``"R-7K3M9Q2X"``; None if it cannot be one."""
    typed = text.strip().upper()
    prefixed = re.match(r"^R\s*-(.*)$", typed, re.S)
    body = re.sub(r"[\s\-]", "", prefixed.group(1) if prefixed else typed)
    if not prefixed and len(body) == LENGTH + 1 and body.startswith("R"):
        body = body[1:]  # "R7K3M9Q2X": the dash left out
    candidate = PREFIX + body.translate(_MISREAD)
    return candidate if is_reference(candidate) else None


def normalize_maker_id(text: str | None) -> str | None:
    """``"m-4f7k q2zd"`` -> ``"M-4F7KQ2ZD"`` (a maker id is a reference with ``M-``)."""
    if not text or not text.strip().upper().startswith("M-"):
        return None
    normal = normalize_reference("R-" + text.strip()[2:])
    return "M-" + normal[2:] if normal else None


def derived_reference(digest: bytes) -> str:
    """A reference made of the first 40 bits of ``digest`` (an HMAC): same digest, same
    reference, and nothing to tell it from a random one."""
    number = int.from_bytes(digest[:5], "big")
    return PREFIX + "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(LENGTH)))
