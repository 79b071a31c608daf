"""What a DynamoDB failure means for the caller, and the time budget of a call.

:func:`classify` sorts a botocore exception that reached :func:`handlers.answer`:

- ``"unavailable"`` (503, ``Retry-After``): throttling, DynamoDB unavailable or slow
  (5xx, connection and read timeouts), the table missing (a deployment fault). Retrying
  later may succeed; nothing was written (every write is one call or one transaction).
- ``"conflict"`` (409): a condition failed that no code path handled (the record changed
  between a read and a conditional write). Reloading and retrying is the cure.
- ``"internal"`` (500): DynamoDB refused the call as malformed (``ValidationException``,
  a parameter error...): a bug of ours. Retrying will not help.

:func:`worst_case_seconds` is how long botocore may spend on one call with
:data:`tables.CLIENT_CONFIG` (connect and read timeouts per attempt, "standard" retry
mode's backoff between attempts); the test suite checks it against the function's
timeout in ``.chalice/config.json``.

Imports the standard library only; botocore's exceptions are looked at by name (the
classes are all subclasses named as below), so this module costs nothing at import.
"""

from __future__ import annotations

import re
from typing import Any

UNAVAILABLE, CONFLICT, INTERNAL = "unavailable", "conflict", "internal"

THROTTLING_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "Throttling",
    "ThrottledException", "RequestThrottled", "RequestThrottledException",
    "RequestLimitExceeded", "LimitExceededException", "TransactionConflictException",
    "TransactionInProgressException", "SlowDown",
})
UNAVAILABLE_CODES = frozenset({
    "InternalServerError", "InternalFailure", "ServiceUnavailable",
    "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException",
    "PriorRequestNotComplete", "ResourceNotFoundException", "ExpiredTokenException",
    "RequestExpired",
})
CONFLICT_CODES = frozenset({"ConditionalCheckFailedException"})
# TransactWriteItems' per-action cancellation reasons.
_REASON_CLASS = {
    "ConditionalCheckFailed": CONFLICT,
    "TransactionConflict": UNAVAILABLE,
    "ProvisionedThroughputExceeded": UNAVAILABLE,
    "ThrottlingError": UNAVAILABLE,
    "ValidationError": INTERNAL,
    "ItemCollectionSizeLimitExceeded": INTERNAL,
}
# botocore.exceptions classes (matched by name along the MRO): connection, timeouts, and
# deployment faults (no credentials or region) are "unavailable"; anything else a bug.
UNAVAILABLE_BOTOCORE = frozenset({
    "ConnectionError", "HTTPClientError", "EndpointConnectionError", "ConnectTimeoutError",
    "ReadTimeoutError", "ConnectionClosedError", "ProxyConnectionError",
    "NoCredentialsError", "PartialCredentialsError", "CredentialRetrievalError",
    "NoRegionError", "EndpointResolutionError",
})


def error_code(exc: BaseException) -> str:
    """DynamoDB's error code (``ThrottlingException``), else the exception's class name."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = (response.get("Error") or {}).get("Code")
        if code:
            return str(code)
    return type(exc).__name__


def cancellation_codes(exc: BaseException) -> list[str]:
    """A ``TransactionCanceledException``'s code per action, in order (``"None"`` for an
    action that was fine).

    botocore puts them in ``response["CancellationReasons"]``; some engines only list
    them in the message (``... reasons [ConditionalCheckFailed, None]``).
    """
    response = getattr(exc, "response", None) or {}
    reasons = response.get("CancellationReasons")
    if isinstance(reasons, list):
        return [str((r or {}).get("Code") or "None") for r in reasons]
    message = str((response.get("Error") or {}).get("Message") or "")
    found = re.search(r"\[([A-Za-z, ]*)\]", message)
    return [c.strip() or "None" for c in found.group(1).split(",")] if found else []


def cancellation_reasons(exc: BaseException) -> list[str]:
    """The codes of a cancelled transaction's failed actions (``"None"`` omitted)."""
    return [c for c in cancellation_codes(exc) if c != "None"]


def _status(exc: BaseException) -> int:
    response = getattr(exc, "response", None) or {}
    try:
        return int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    except (TypeError, ValueError):
        return 0


def classify(exc: BaseException) -> str:
    """``"unavailable"`` (503), ``"conflict"`` (409) or ``"internal"`` (500)."""
    if not isinstance(getattr(exc, "response", None), dict):  # a BotoCoreError
        names = {cls.__name__ for cls in type(exc).__mro__}
        return UNAVAILABLE if names & UNAVAILABLE_BOTOCORE else INTERNAL
    code = error_code(exc)
    if code == "TransactionCanceledException":
        classes = {_REASON_CLASS.get(reason, INTERNAL) for reason in cancellation_reasons(exc)}
        for verdict in (INTERNAL, CONFLICT, UNAVAILABLE):  # the most telling first
            if verdict in classes:
                return verdict
        return UNAVAILABLE  # cancelled with no reason given: try again
    if code in CONFLICT_CODES:
        return CONFLICT
    if code in THROTTLING_CODES or code in UNAVAILABLE_CODES or _status(exc) >= 500:
        return UNAVAILABLE
    return INTERNAL


# ------------------------------------------------------------------ time budget

# botocore's "standard" retry mode: before retry n (n = 1, 2...) it sleeps
# random(0, 1) * 2 ** n seconds, capped at 20 s (botocore.retries.standard).
STANDARD_BASE_SECONDS = 2.0
STANDARD_MAX_BACKOFF = 20.0
# What the handler itself may spend besides DynamoDB calls (validation, JSON, cold imports).
HANDLER_MARGIN_SECONDS = 2.0


def standard_backoff(retry: int) -> float:
    """The longest sleep botocore's standard mode takes before retry ``retry`` (1-based)."""
    return min(STANDARD_BASE_SECONDS ** retry, STANDARD_MAX_BACKOFF)


def total_attempts(config: dict[str, Any]) -> int:
    """Attempts per call: botocore's ``total_max_attempts`` counts them all, its
    ``max_attempts`` counts retries (attempts - 1); neither: standard mode's 3."""
    retries = config.get("retries") or {}
    if "total_max_attempts" in retries:
        return int(retries["total_max_attempts"])
    if "max_attempts" in retries:
        return int(retries["max_attempts"]) + 1
    return 3


def worst_case_seconds(config: dict[str, Any]) -> float:
    """Longest one DynamoDB call may take with ``config`` (``tables.CLIENT_CONFIG``):
    every attempt waits its full connect then read timeout, every backoff is maximal."""
    attempts = total_attempts(config)
    per_attempt = float(config["connect_timeout"]) + float(config["read_timeout"])
    return attempts * per_attempt + sum(standard_backoff(n) for n in range(1, attempts))


def fits(config: dict[str, Any], lambda_timeout: float, calls: int = 1,
         margin: float = HANDLER_MARGIN_SECONDS, before: float = 0.0) -> bool:
    """True when ``calls`` sequential worst-case calls plus ``margin`` (and ``before``:
    what the request spends first, e.g. reading the server secret) end before the
    function's timeout, so the caller gets our 503 rather than API Gateway's 5xx."""
    return before + calls * worst_case_seconds(config) + margin <= lambda_timeout


# A request makes at most this many DynamoDB calls one after the other: a write is one
# transaction (plus the GetItem of a replay); a maker's own routes read, then write.
MAX_SEQUENTIAL_CALLS = 2
