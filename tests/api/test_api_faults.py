"""Storage faults give honest answers (issue 11, point 6).

- The DynamoDB client's connect/read timeouts and retries fit inside the function's
  timeout (``.chalice/config.json``), so a slow DynamoDB is our 503 + ``Retry-After``, not
  API Gateway's 502/504 after the function was killed.
- Only throttling, unavailability and timeouts are 503; a condition that failed unhandled
  is 409 ``conflict``; a call DynamoDB refuses as malformed is our bug, 500.
- A real socket that accepts and never answers, as ``DYNAMODB_ENDPOINT``: 503.
"""

from __future__ import annotations

import json
import socket
import threading
from types import SimpleNamespace

import pytest
from botocore.exceptions import (
    ClientError, ConnectionClosedError, ConnectTimeoutError, EndpointConnectionError,
    NoCredentialsError, ParamValidationError, ReadTimeoutError,
)

from api_helpers import ORIGIN, SERVERLESS, body_of, post, send, valid_body

ENDPOINT = "http://127.0.0.1:1"


def lambda_timeout() -> float:
    config = json.loads((SERVERLESS / ".chalice" / "config.json").read_text())
    timeouts = [config.get("lambda_timeout", 3)] + [
        stage["lambda_timeout"] for stage in config.get("stages", {}).values()
        if "lambda_timeout" in stage]
    return float(min(timeouts))


# ------------------------------------------------------------------ the time budget


def test_one_dynamodb_call_fits_well_inside_the_function_timeout():
    from chalicelib import faults, tables

    timeout = lambda_timeout()
    worst = faults.worst_case_seconds(tables.CLIENT_CONFIG)
    # attempts x (connect + read) + the longest backoff before each retry + the handler.
    assert worst + faults.HANDLER_MARGIN_SECONDS <= timeout, (worst, timeout)
    assert faults.fits(tables.CLIENT_CONFIG, timeout)
    assert tables.CLIENT_CONFIG["retries"]["mode"] == "standard"


def test_a_whole_request_fits_inside_the_function_timeout():
    """The longest request: the server secret read on a cold start, then a DynamoDB read
    and a write (or a transaction and the GetItem of a replay), each at its worst."""
    from chalicelib import faults, tables

    secret = tables.SECRET_READS * faults.worst_case_seconds(tables.SECRET_CLIENT_CONFIG)
    assert faults.fits(tables.CLIENT_CONFIG, lambda_timeout(), faults.MAX_SEQUENTIAL_CALLS,
                       before=secret)
    assert lambda_timeout() < 29  # API Gateway's own integration timeout
    assert not faults.fits(tables.CLIENT_CONFIG, lambda_timeout(),
                           faults.MAX_SEQUENTIAL_CALLS + 1, before=secret)


def test_the_budget_is_computed_from_timeouts_attempts_and_backoff():
    from chalicelib import faults

    def config(connect, read, attempts, key="total_max_attempts"):
        return {"connect_timeout": connect, "read_timeout": read,
                "retries": {"mode": "standard", key: attempts}}

    assert faults.worst_case_seconds(config(1, 2, 2)) == 2 * 3 + 2
    assert faults.worst_case_seconds(config(1, 2, 3)) == 3 * 3 + 2 + 4
    assert faults.worst_case_seconds(config(1, 1, 6)) == 6 * 2 + 2 + 4 + 8 + 16 + 20
    # botocore's "max_attempts" counts retries: 2 means 3 attempts.
    assert faults.worst_case_seconds(config(1, 2, 2, "max_attempts")) == 3 * 3 + 2 + 4
    # The settings before this change: {"max_attempts": 3} = 4 attempts x (3 + 10) s +
    # 2 + 4 + 8 s of backoff = 66 s, over four times the function's 15 s: API Gateway
    # answered 502/504 and the client saw no Retry-After.
    old = config(3, 10, 3, "max_attempts")
    assert faults.worst_case_seconds(old) == 66
    assert not faults.fits(old, lambda_timeout())
    assert not faults.fits(config(1, 10, 2), 15)


def test_the_client_is_built_with_the_budget():
    from chalicelib import tables

    client = tables.connect(ENDPOINT).meta.client
    assert client.meta.config.connect_timeout == tables.CLIENT_CONFIG["connect_timeout"]
    assert client.meta.config.read_timeout == tables.CLIENT_CONFIG["read_timeout"]
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 2}


# ------------------------------------------------------------------ classification


def client_error(code, status=400, operation="TransactWriteItems", reasons=None, message="m"):
    response = {"Error": {"Code": code, "Message": message},
                "ResponseMetadata": {"HTTPStatusCode": status}}
    if reasons is not None:
        response["CancellationReasons"] = [{"Code": r} for r in reasons]
    return ClientError(response, operation)


UNAVAILABLE = [
    client_error("ProvisionedThroughputExceededException"),
    client_error("ThrottlingException"),
    client_error("RequestLimitExceeded"),
    client_error("LimitExceededException"),
    client_error("TransactionConflictException"),
    client_error("InternalServerError", 500),
    client_error("ServiceUnavailable", 503),
    client_error("SomethingNew", 502),
    client_error("ResourceNotFoundException"),  # the table is missing: a deployment fault
    client_error("TransactionCanceledException", reasons=["None", "ThrottlingError"]),
    client_error("TransactionCanceledException", reasons=["TransactionConflict", "None"]),
    client_error("TransactionCanceledException",
                 reasons=["None", "ProvisionedThroughputExceeded"]),
    EndpointConnectionError(endpoint_url=ENDPOINT),
    ConnectTimeoutError(endpoint_url=ENDPOINT),
    ReadTimeoutError(endpoint_url=ENDPOINT),
    ConnectionClosedError(endpoint_url=ENDPOINT),
    NoCredentialsError(),
]
CONFLICT = [
    client_error("ConditionalCheckFailedException", operation="UpdateItem"),
    client_error("TransactionCanceledException", reasons=["None", "ConditionalCheckFailed"]),
    # An engine giving the reasons only in the message (DynamoDB Local, moto).
    client_error("TransactionCanceledException", message="Transaction cancelled, please "
                 "refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"),
]
INTERNAL = [
    client_error("ValidationException"),
    client_error("SerializationException"),
    client_error("AccessDeniedException"),
    client_error("TransactionCanceledException", reasons=["ValidationError", "None"]),
    client_error("TransactionCanceledException",
                 reasons=["ConditionalCheckFailed", "ValidationError"]),
    ParamValidationError(report="Invalid type for parameter Item"),
]


def _id(exc):
    from chalicelib import faults

    return f"{type(exc).__name__}-{faults.error_code(exc)}-{faults.cancellation_reasons(exc)}"


@pytest.mark.parametrize("exc, verdict", [(e, "unavailable") for e in UNAVAILABLE]
                         + [(e, "conflict") for e in CONFLICT]
                         + [(e, "internal") for e in INTERNAL],
                         ids=lambda v: _id(v) if isinstance(v, Exception) else v)
def test_each_storage_failure_is_classified(exc, verdict):
    from chalicelib import faults

    assert faults.classify(exc) == verdict


def _answer(exc, lang="en"):
    from chalicelib import handlers

    def work(lang):
        raise exc

    request = SimpleNamespace(headers={"accept-language": lang}, context={})
    return handlers.answer(request, work)


@pytest.mark.parametrize("exc", UNAVAILABLE, ids=_id)
def test_throttling_unavailability_and_timeouts_are_503_with_retry_after(exc, app_logs):
    response = _answer(exc)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert json.loads(response.body)["error"] == "unavailable"
    record, = [r for r in app_logs.records if r["message"] == "storage error"]
    assert record["fault"] == "unavailable" and record["status"] == 503
    assert record["level"] == "ERROR"


@pytest.mark.parametrize("exc", CONFLICT, ids=_id)
def test_an_unhandled_failed_condition_is_409_conflict_not_503(exc, app_logs):
    response = _answer(exc, "fr")
    assert response.status_code == 409
    assert "Retry-After" not in response.headers
    body = json.loads(response.body)
    assert body["error"] == "conflict"
    assert "rechargez" in body["message"]
    record, = [r for r in app_logs.records if r["message"] == "storage error"]
    assert record["fault"] == "conflict" and record["status"] == 409


@pytest.mark.parametrize("exc", INTERNAL, ids=_id)
def test_a_call_dynamodb_refuses_is_our_500_not_503(exc, app_logs):
    response = _answer(exc)
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert json.loads(response.body) == {"error": "internal_error",
                                         "message": "Something went wrong on the server."}
    record, = [r for r in app_logs.records if r["message"] == "storage error"]
    assert record["fault"] == "internal" and record["status"] == 500
    # The error code only: DynamoDB's message may quote the values of the call.
    assert record["error"] == (exc.response["Error"]["Code"] if isinstance(exc, ClientError)
                               else type(exc).__name__)
    assert "Invalid type" not in json.dumps(record)


# ------------------------------------------------------------------ through the app


def _fail_every_call(monkeypatch, code, status):
    import botocore.client

    def failing(self, operation, params):
        raise client_error(code, status, operation)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", failing)


@pytest.mark.parametrize("code, status, expected", [
    ("ThrottlingException", 400, 503),
    ("ServiceUnavailable", 503, 503),
    ("ValidationException", 400, 500),
])
def test_routes_answer_the_fault_class_with_cors(client, table, monkeypatch, code, status,
                                                 expected):
    _fail_every_call(monkeypatch, code, status)
    for response in (post(client, valid_body()),
                     send(client, "GET", "/requests/R-7K3M9Q2X", token="x" * 43),
                     send(client, "GET", "/stats")):
        assert response.status_code == expected, response.body
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert ("Retry-After" in response.headers) == (expected == 503)
        assert body_of(response)["error"] == ("unavailable" if expected == 503
                                              else "internal_error")


# ------------------------------------------------------------------ a real slow DynamoDB


class SilentServer:
    """A TCP listener on loopback that accepts connections and never answers."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)  # held open, never read, never answered

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=2)
        for conn in self.accepted:
            conn.close()
        self.sock.close()


def test_a_dynamodb_that_never_answers_is_503_with_retry_after(client, api_env, app_logs):
    """With the real budget (no timeout shortened): each route gives up within its
    attempts x read timeout and answers 503, instead of running into the function's
    timeout (API Gateway's 502/504) or raising (500)."""
    with SilentServer() as server:
        api_env.setenv("DYNAMODB_ENDPOINT", f"http://127.0.0.1:{server.port}")
        for response in (post(client, valid_body()),
                         send(client, "GET", "/requests/R-7K3M9Q2X", token="x" * 43)):
            assert response.status_code == 503, response.body
            assert int(response.headers["Retry-After"]) > 0
            assert body_of(response)["error"] == "unavailable"
            assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        # Each attempt opens its own connection: 2 routes x the budgeted attempts (the old
        # settings made 4 attempts of 13 s per call).
        from chalicelib import faults, tables

        assert len(server.accepted) == 2 * faults.total_attempts(tables.CLIENT_CONFIG)
    failures = [r for r in app_logs.records if r["message"] == "storage error"]
    assert len(failures) == 2
    assert {r["error"] for r in failures} == {"ReadTimeoutError"}
    assert all(r["fault"] == "unavailable" and r["request_id"] for r in failures)
