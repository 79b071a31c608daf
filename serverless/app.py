"""Usine request API: routes and lazy getters only; the work is in chalicelib/."""

import logging

from chalice import Chalice

from chalicelib import config, handlers, tables
from chalicelib.store import RequestStore

app = Chalice(app_name="usine")
app.log.setLevel(logging.INFO)

# Built on first use, per (table, endpoint, region): nothing is read at import time.
_STORES = {}


def get_store():
    s = config.settings()
    key = (s.require_table(), s.dynamodb_endpoint, s.aws_region)
    if key not in _STORES:
        resource = tables.connect(s.dynamodb_endpoint, s.aws_region)
        _STORES[key] = RequestStore(resource.Table(key[0]))
    return _STORES[key]


@app.middleware("http")
def cors_and_json_errors(event, get_response):
    return handlers.finish(get_response(event), config.settings())


@app.route("/requests", methods=["POST"])
def create_request():
    return handlers.create_request(app.current_request, config.settings(), get_store)


@app.route("/requests", methods=["OPTIONS"])
def requests_preflight():
    return handlers.preflight(["POST"])
