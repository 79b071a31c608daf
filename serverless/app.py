"""Usine API: routes and lazy getters only; the work is in chalicelib/ (see README.md)."""

import logging

from chalice import Chalice

from chalicelib import config, handlers, tables

app = Chalice(app_name="usine")
app.log.setLevel(logging.INFO)

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


@app.middleware("http")
def cors_and_json_errors(event, get_response):
    return handlers.finish(get_response(event), config.settings(), event.headers)


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
