"""Usine API: routes and lazy getters only; the work is in chalicelib/ (see README.md)."""

import logging
import os

from chalice import Chalice

from chalicelib import config, handlers, logs, tables

# Chalice's own plain-text handler is replaced by one JSON object per line (chalicelib/logs.py)
# on app.log, the "usine" logger every chalicelib module logs under.
app = Chalice(app_name="usine", configure_logs=False)
logs.configure(app.log, logging.INFO)

# Built on first use, per (table, endpoint, region): nothing is read at import time.
_TABLES = {}


def get_table():
    s = config.settings()
    key = (s.require_table(), s.dynamodb_endpoint, s.aws_region)
    if key not in _TABLES:
        _TABLES[key] = tables.connect(s.dynamodb_endpoint, s.aws_region).Table(key[0])
    return _TABLES[key]


def _request():
    return app.current_request


def _request_id(event):
    """API Gateway's request id, else Lambda's (chalice local), else a fresh one."""
    context = getattr(event, "context", None) or {}
    lambda_context = getattr(app, "lambda_context", None)
    return (context.get("requestId") or getattr(lambda_context, "aws_request_id", None)
            or os.urandom(16).hex())


@app.middleware("http")
def cors_and_json_errors(event, get_response):
    token = logs.set_request_id(_request_id(event))
    try:
        return handlers.finish(get_response(event), config.settings(), event.headers)
    finally:
        logs.reset_request_id(token)


@app.route("/requests", methods=["POST"])
def create_request():
    return handlers.create_request(_request(), config.settings(), get_table)


@app.route("/requests/{reference}", methods=["GET"])
def request_progress(reference):
    return handlers.request_progress(_request(), reference, config.settings(), get_table)


@app.route("/makers", methods=["POST"])
def create_maker():
    return handlers.create_maker(_request(), config.settings(), get_table)


@app.route("/makers/{maker_id}", methods=["GET"])
def read_maker(maker_id):
    return handlers.read_maker(_request(), maker_id, config.settings(), get_table)


@app.route("/makers/{maker_id}", methods=["PUT"])
def update_maker(maker_id):
    return handlers.update_maker(_request(), maker_id, config.settings(), get_table)


@app.route("/makers/{maker_id}", methods=["DELETE"])
def withdraw_maker(maker_id):
    return handlers.withdraw_maker(_request(), maker_id, config.settings(), get_table)


@app.route("/designs", methods=["GET"])
def designs():
    return handlers.designs(_request(), config.settings())


@app.route("/stats", methods=["GET"])
def public_stats():
    return handlers.public_stats(_request(), config.settings(), get_table)


@app.route("/openapi.json", methods=["GET"])
def openapi():
    return handlers.openapi(_request(), config.settings())


# CORS preflights: the allowed origin is read at request time (see chalicelib/responses.py).
@app.route("/requests", methods=["OPTIONS"])
def requests_preflight():
    return handlers.preflight(["POST"])


@app.route("/requests/{reference}", methods=["OPTIONS"])
def request_preflight(reference):
    return handlers.preflight(["GET"])


@app.route("/makers", methods=["OPTIONS"])
def makers_preflight():
    return handlers.preflight(["POST"])


@app.route("/makers/{maker_id}", methods=["OPTIONS"])
def maker_preflight(maker_id):
    return handlers.preflight(["GET", "PUT", "DELETE"])
