"""Logs carry no client text and are one JSON object per line (issue 11, point 7).

A canary (a unique token with a newline, quotes and a brace around it) goes in every
string field, in unknown key names and their values, in the path, the token, the
Idempotency-Key and Accept-Language headers; every answer and every line written by the
handler app.py installs is scanned for it. Unknown keys are reported at their parent's
path with a count, in the answer and in the log.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import uuid


from api_helpers import (
    JSON_HEADERS, body_of, maker_body, post, send, valid_body,
)

RUN = uuid.uuid4().hex[:6].upper()


class Canaries:
    """Unique tokens (letters and digits, so they survive any escaping) and canaries
    around them; ``found_in(text)`` lists the tokens a text contains."""

    def __init__(self):
        self.tokens: list[str] = []

    def token(self) -> str:
        token = f"CN{RUN}{len(self.tokens):04d}"  # 12 characters: fits a postcode
        self.tokens.append(token)
        return token

    def canary(self) -> str:
        return f'{self.token()}"\n{{x'

    def header(self) -> str:  # no newline: HTTP headers cannot hold one
        return f'{self.token()}"{{x'

    def found_in(self, text: str) -> list[str]:
        return [t for t in self.tokens if t in text]


def every_string(value, canaries: Canaries):
    """``value`` with every string leaf replaced by its own canary."""
    if isinstance(value, dict):
        return {k: every_string(v, canaries) for k, v in value.items()}
    if isinstance(value, list):
        return [every_string(v, canaries) for v in value]
    if isinstance(value, str):
        return canaries.canary()
    return value


def with_unknown_keys(body: dict, places: list[tuple], canaries: Canaries) -> dict:
    body = copy.deepcopy(body)
    for place in places:
        target = body
        for part in place:
            target = target[part]
        target[canaries.canary()] = canaries.canary()
    body[canaries.canary()] = {canaries.canary(): canaries.canary()}
    return body


def valid_request_with_canaries(c: Canaries) -> dict:
    body = valid_body()
    body["organization"]["name"] = f"Org {c.token()}"
    body["organization"]["registry_id"] = c.token()
    body["contact"]["name"] = f"Person {c.token()}"
    body["contact"]["email"] = f"{c.token().lower()}@canary.example"
    body["delivery"]["postcode"] = c.token()
    body["delivery"]["address"] = f"Street {c.token()}"
    body["notes"] = c.canary()
    return body


def valid_maker_with_canaries(c: Canaries) -> dict:
    body = maker_body()
    body["name"] = f"Lab {c.token()}"
    body["contact"]["name"] = f"Person {c.token()}"
    body["contact"]["email"] = f"{c.token().lower()}@canary.example"
    body["postcode"] = c.token()
    body["machines"][0]["model"] = f"Model {c.token()}"
    body["materials"] = [c.token(), c.token()]
    return body


def variations(valid: dict, places: list[tuple], c: Canaries) -> list[tuple[str, object, dict]]:
    """(name, body, extra headers): valid, invalid everywhere, unknown keys, honeypot,
    bad JSON, not an object, wrong content type, bad and good idempotency keys."""
    honeypot = copy.deepcopy(valid)
    honeypot["website"] = c.canary()
    unknown = with_unknown_keys(valid, places, c)
    return [
        ("valid", valid, {"Idempotency-Key": f"key-{c.token()}-0000"}),
        ("every-string", every_string(valid, c), {}),
        ("unknown-keys", unknown, {}),
        ("unknown-keys-and-invalid", with_unknown_keys(every_string(valid, c), places, c), {}),
        ("honeypot", honeypot, {}),
        ("bad-json", '{"notes": "' + c.canary().replace("\n", "\\n") + '", "x": ', {}),
        ("bad-utf8", b'{"notes": "' + c.token().encode() + b'\xff"}', {}),
        ("not-an-object", json.dumps([c.canary(), {c.canary(): 1}]), {}),
        ("content-type", json.dumps(valid), {"Content-Type": f"text/{c.token()}"}),
        ("bad-idempotency-key", json.dumps(valid), {"Idempotency-Key": c.header()}),
    ]


def canary_headers(c: Canaries, token: str | None = None) -> dict:
    return {"Accept-Language": f"{c.token()};q=0.9, x-{c.token()}",
            "Authorization": f"Bearer {token or c.header()}",
            "X-Forwarded-For": c.header(), "User-Agent": c.header()}


def test_no_canary_reaches_an_answer_or_a_log_line(client, table, app_logs):
    c = Canaries()
    answers = []

    def call(method, path, body=None, headers=None, token=None):
        all_headers = {**canary_headers(c, token), **(headers or {})}
        response = send(client, method, path, body, headers=all_headers)
        answers.append((method, path, response))
        return response

    # A real maker, to reach PUT's validation with a valid token.
    signup = send(client, "POST", "/makers", maker_body())
    assert signup.status_code == 201, signup.body
    maker = body_of(signup)

    request_places = [("organization",), ("contact",), ("delivery",), ("items", 0)]
    maker_places = [("contact",), ("machines", 0), ("offers", 0), ("availability",)]
    statuses = {}
    for name, body, headers in variations(valid_request_with_canaries(c), request_places, c):
        statuses[("requests", name)] = call("POST", "/requests", body, headers).status_code
    for name, body, headers in variations(valid_maker_with_canaries(c), maker_places, c):
        statuses[("makers", name)] = call("POST", "/makers", body, headers).status_code
        statuses[("put", name)] = call("PUT", f"/makers/{maker['id']}", body, headers,
                                       token=maker["edit_token"]).status_code
    statuses[("put", "unknown-id")] = call(
        "PUT", f"/makers/M-{c.token()}", valid_maker_with_canaries(c)).status_code
    for method, path in [("GET", f"/requests/R-{c.token()}"), ("GET", f"/requests/{c.token()}"),
                         ("GET", f"/makers/M-{c.token()}"), ("GET", f"/makers/{c.token()}"),
                         ("DELETE", f"/makers/M-{c.token()}"), ("GET", "/stats"),
                         ("GET", "/designs")]:
        statuses[(method, path)] = call(method, path).status_code

    # The variations did what they are meant to (so the scan covers each path).
    assert statuses[("requests", "valid")] == 201
    assert statuses[("requests", "honeypot")] == 201
    assert statuses[("makers", "valid")] == 201
    assert statuses[("put", "valid")] == 200
    for kind in ("requests", "makers", "put"):
        assert statuses[(kind, "every-string")] == 400
        assert statuses[(kind, "unknown-keys")] == 400
        assert statuses[(kind, "bad-json")] == 400
        assert statuses[(kind, "content-type")] == 415
        assert statuses[(kind, "bad-idempotency-key")] in (400, 200)  # PUT ignores the key

    for method, path, response in answers:
        if method == "PUT" and maker["id"] in path and response.status_code == 200:
            continue  # the owner's own sign-up, echoed to the owner (token checked)
        text = response.body.decode("utf-8", "replace") if isinstance(response.body, bytes) \
            else str(response.body)
        text += "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        assert not c.found_in(text), (method, path, response.status_code, text)

    lines = list(app_logs)
    assert len(lines) >= len(answers) - 4  # refusals and writes are all logged
    request_ids = set()
    for line in lines:
        record = json.loads(line)  # every line is one JSON object
        assert isinstance(record, dict)
        assert isinstance(record.get("request_id"), str) and record["request_id"], line
        assert {"level", "logger", "message"} <= set(record)
        request_ids.add(record["request_id"])
        assert not c.found_in(line), line
    assert len(request_ids) > 10  # one per request, not one for all


def test_unknown_keys_are_counted_at_their_parent_never_named(client, table, app_logs):
    body = valid_body()
    names = ['sirét\n{"level": "ERROR", "message": "forged"}', "jeanne.martin@chu.example"]
    body[names[0]] = 1
    body[names[1]] = 2
    body["items"][0]["colour\r\nX-Injected: 1"] = "blue"
    response = post(client, body, {**JSON_HEADERS, "Accept-Language": "fr"})
    assert response.status_code == 400
    data = body_of(response)
    assert data["codes"] == {"body": "extra_forbidden", "items.0": "extra_forbidden"}
    assert data["fields"]["body"].startswith("contient 2 champ(s) inconnu(s)")
    assert data["fields"]["body"].endswith(
        "organization, contact, delivery, items, needed_by, notes, consent, website")
    assert data["fields"]["items.0"].startswith("contient 1 champ(s) inconnu(s)")
    assert data["fields"]["items.0"].endswith("design, variant, quantity")
    for text in [response.body.decode()] + list(app_logs):
        for fragment in ("sirét", "forged", "jeanne", "colour", "Injected"):
            assert fragment not in text
    record, = [json.loads(line) for line in app_logs]  # one line, not a forged second one
    assert record["level"] == "INFO" and record["message"] == "refused"
    assert record["fields"] == ["body", "items.0"]
    assert record["unknown_fields"] == 3
    assert record["error"] == "invalid_request"


def test_unknown_keys_of_a_maker_and_its_aliases(client, table):
    body = maker_body()
    body["availability"]["till"] = "2030-01-01"
    body["machines"][1]["colour"] = "red"
    body["machines"][1]["count"] = 0
    data = body_of(send(client, "POST", "/makers", body))
    assert data["codes"] == {"availability": "extra_forbidden", "machines.1": "extra_forbidden",
                             "machines.1.count": "greater_than_equal"}
    assert data["fields"]["availability"] == "has 1 unknown field(s); allowed: from, until"


def _schema_names():
    from chalicelib.validation import _models

    names = {"body"}
    for model in _models().values():
        for name, info in model.model_fields.items():
            names.update({name, info.alias} - {None})
    return names


def test_every_error_path_is_made_of_schema_names_and_indexes(client, table):
    c = Canaries()
    names = _schema_names()
    bodies = [every_string(valid_body(), c),
              with_unknown_keys(every_string(valid_body(), c),
                                [("contact",), ("items", 0)], c),
              valid_body(items={c.canary(): 1}, contact=[c.canary()], delivery=c.canary(),
                         organization={"name": {c.canary(): 1}}),
              valid_body(items=[c.canary(), 3, {c.canary(): None}])]
    for body in bodies:
        data = body_of(post(client, body))
        assert data["error"] == "invalid_request"
        for path in list(data["fields"]) + list(data["codes"]):
            for part in path.split("."):
                assert part.isdigit() or part in names, path
        assert not c.found_in(json.dumps(data))


def test_a_crash_is_logged_as_json_without_the_exceptions_message(client, table, app_logs,
                                                                  monkeypatch):
    from chalicelib import config

    secret = f"CN{RUN}CRASH"

    def crash(path):
        raise KeyError(f'{secret}"\n{{')

    monkeypatch.setattr(config, "load_catalog", crash)
    response = send(client, "GET", "/designs")
    assert response.status_code == 500
    assert secret not in response.body.decode()
    records = [json.loads(line) for line in app_logs]
    crash_line, = [r for r in records if r.get("exception")]
    assert crash_line["exception"] == "KeyError"
    assert crash_line["level"] == "ERROR" and crash_line["request_id"]
    assert any("crash" in frame for frame in crash_line["traceback"])
    assert secret not in "\n".join(app_logs)


def test_the_app_writes_its_logs_through_one_json_handler(app_module, capsys):
    from chalicelib import logs

    logger = logging.getLogger("usine")
    assert app_module.app.log is logger
    ours = [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
    assert ours == [logs.handler()]  # (pytest adds its capture to non-propagating loggers)
    assert isinstance(logs.handler().formatter, logs.JsonFormatter)
    assert logger.propagate is False  # written once, by this handler only
    assert logger.getEffectiveLevel() <= logging.INFO
    # It writes to whatever sys.stdout is at the time (Lambda -> CloudWatch).
    token = logs.set_request_id("req-1")
    try:
        logging.getLogger("usine.api").info("refused", extra={"fields": ["items.0"]})
    finally:
        logs.reset_request_id(token)
    out = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in out] == [
        {"level": "INFO", "logger": "usine.api", "message": "refused",
         "request_id": "req-1", "fields": ["items.0"]}]


def test_the_request_id_comes_from_api_gateway_else_lambda(app_module, monkeypatch):
    from types import SimpleNamespace

    event = SimpleNamespace(context={"requestId": "apigw-123"})
    assert app_module._request_id(event) == "apigw-123"
    monkeypatch.setattr(app_module.app, "lambda_context",
                        SimpleNamespace(aws_request_id="lambda-456"), raising=False)
    assert app_module._request_id(SimpleNamespace(context={})) == "lambda-456"


def test_one_request_one_id_and_none_outside(client, table, app_logs):
    from chalicelib import logs

    for _ in range(3):
        post(client, valid_body(consent=False))
    ids = [r["request_id"] for r in app_logs.records]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert logs.request_id() is None  # reset after each request


def test_a_newline_in_a_message_cannot_make_two_lines():
    from chalicelib import logs

    stream = io.StringIO()
    handler = logs.StdoutHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("usine.test_forgery")
    logger.addHandler(handler)
    try:
        logger.warning('a\n{"level": "ERROR"}\r\u2028b', extra={"detail": "c\nd"})
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["message"] == 'a\n{"level": "ERROR"}\r\u2028b'
