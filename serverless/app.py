"""Usine API: routes and lazy getters only; the work is in chalicelib/ (see README.md)."""

import logging
import os

from chalice import Chalice

from chalicelib import config, coordination, handlers, logs, tables

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


# Coordinators: bearer tokens checked by this authorizer (no caching: a revocation holds
# from the next request), the audit log for hub-scope coordinators. 401/403 on API Gateway,
# chalice local and chalice.test: chalicelib/coordination_auth.py.
from chalicelib import coordination_auth  # noqa: E402

coordination_auth.adapt_local_gateway()


@app.authorizer(ttl_seconds=0)
def coordinator(auth_request):
    return coordination_auth.authorize(auth_request, get_table)


@app.route("/coordination/audit", methods=["GET"], authorizer=coordinator)
def coordination_audit():
    return coordination_auth.audit_log(_request(), config.settings(), get_table)


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


# ------------------------------------------------------------------ coordination
# Coordinators (bearer token, the `coordinator` authorizer), sites (edit token, or an
# allocation's link token) and requesters (tracking token): chalicelib/coordination.py.


def _coordination(handler, **path):
    return handlers.coordinated(_request(), config.settings(), get_table, handler, **path)


@app.route("/coordination/requests", methods=["GET"], authorizer=coordinator)
def coordination_requests():
    return _coordination(coordination.open_requests)


@app.route("/coordination/requests/{reference}", methods=["GET"], authorizer=coordinator)
def coordination_request(reference):
    return _coordination(coordination.request_detail, reference=reference)


@app.route("/coordination/requests/{reference}/contact", methods=["GET"],
           authorizer=coordinator)
def coordination_request_contact(reference):
    return _coordination(coordination.request_contact, reference=reference)


@app.route("/coordination/requests/{reference}/close", methods=["POST"],
           authorizer=coordinator)
def coordination_close(reference):
    return _coordination(coordination.close_request, reference=reference)


@app.route("/coordination/requests/{reference}/merge", methods=["POST"],
           authorizer=coordinator)
def coordination_merge(reference):
    return _coordination(coordination.merge, reference=reference)


@app.route("/coordination/sites", methods=["GET"], authorizer=coordinator)
def coordination_sites():
    return _coordination(coordination.sites)


@app.route("/coordination/sites/{maker_id}/contact", methods=["GET"], authorizer=coordinator)
def coordination_site_contact(maker_id):
    return _coordination(coordination.site_contact, maker_id=maker_id)


@app.route("/coordination/allocations", methods=["POST"], authorizer=coordinator)
def coordination_allocate():
    return _coordination(coordination.allocate)


@app.route("/coordination/allocations/{allocation_id}/cancel", methods=["POST"],
           authorizer=coordinator)
def coordination_cancel(allocation_id):
    return _coordination(coordination.cancel, allocation_id=allocation_id)


@app.route("/makers/{maker_id}/allocations", methods=["GET"])
def site_allocations(maker_id):
    return _coordination(coordination.site_allocations, maker_id=maker_id)


@app.route("/allocations/{allocation_id}", methods=["GET"])
def site_allocation(allocation_id):
    return _coordination(coordination.allocation_for_site, allocation_id=allocation_id)


@app.route("/allocations/{allocation_id}", methods=["POST"])
def site_allocation_act(allocation_id):
    return _coordination(coordination.site_act, allocation_id=allocation_id)


@app.route("/requests/{reference}/receipts", methods=["POST"])
def request_receipt(reference):
    return _coordination(coordination.receipt, reference=reference)


@app.route("/makers/{maker_id}/allocations", methods=["OPTIONS"])
def site_allocations_preflight(maker_id):
    return handlers.preflight(["GET"])


@app.route("/allocations/{allocation_id}", methods=["OPTIONS"])
def site_allocation_preflight(allocation_id):
    return handlers.preflight(["GET", "POST"])


@app.route("/requests/{reference}/receipts", methods=["OPTIONS"])
def request_receipt_preflight(reference):
    return handlers.preflight(["POST"])


# ------------------------------------------------------------------ stale requests
# A daily sweep asks requesters whether their open requests still stand (hub.toml
# [coordination]), expires those not reconfirmed in time and counts the overdue ones;
# requesters answer with POST /requests/{reference}/reconfirm: chalicelib/stale.py.
from chalice import Rate  # noqa: E402

from chalicelib import stale  # noqa: E402


@app.route("/requests/{reference}/reconfirm", methods=["POST"])
def request_reconfirm(reference):
    return _coordination(stale.reconfirm, reference=reference)


@app.route("/requests/{reference}/reconfirm", methods=["OPTIONS"])
def request_reconfirm_preflight(reference):
    return handlers.preflight(["POST"])


@app.schedule(Rate(1, unit=Rate.DAYS))
def stale_requests(event):
    from datetime import datetime, timezone

    from chalicelib import notify

    lambda_context = getattr(app, "lambda_context", None)
    token = logs.set_request_id(getattr(lambda_context, "aws_request_id", None)
                                or os.urandom(16).hex())
    try:
        s = config.settings()
        return stale.sweep(get_table(), config.load_hub(s.hub_path),
                           datetime.now(timezone.utc), notify.Notifier(s))
    finally:
        logs.reset_request_id(token)


# ------------------------------------------------------------------ exports (issue 13)
# The public open-data feed (counters only, no personal field): chalicelib/feed.py; the
# coordinators' CSV of allocations (contacts once accepted, audited): chalicelib/exports.py.
from chalicelib import exports, feed  # noqa: E402


@app.route("/feed.json", methods=["GET"])
def open_data_feed_json():
    return feed.handle(_request(), config.settings(), get_table, "json")


@app.route("/feed.csv", methods=["GET"])
def open_data_feed_csv():
    return feed.handle(_request(), config.settings(), get_table, "csv")


@app.route("/coordination/export.csv", methods=["GET"], authorizer=coordinator)
def coordination_export():
    return _coordination(exports.allocations_csv)


# ------------------------------------------------------------------ plans (issue 14)
# The planner's proposal, stored; accepting all or part of it creates the allocations
# (chalicelib/plans.py). The solver (highspy) is not in the Lambda package: there the plan
# route answers 501 and coordinators plan with scripts/plan.py; accepting works everywhere.
from chalicelib import plans  # noqa: E402


@app.route("/coordination/plans", methods=["POST"], authorizer=coordinator)
def coordination_plan():
    return _coordination(plans.create)


@app.route("/coordination/plans/{plan_id}/accept", methods=["POST"], authorizer=coordinator)
def coordination_plan_accept(plan_id):
    return _coordination(plans.accept, plan_id=plan_id)


# ------------------------------------------------------------------ coordinator preflights
# The coordinator console (docs/<lang>/console.md) calls these routes from the site's
# origin with an Authorization header: the browser asks each path first (CORS preflight).
@app.route("/coordination/requests", methods=["OPTIONS"])
def coordination_requests_preflight():
    return handlers.preflight(["GET"])


@app.route("/coordination/requests/{reference}", methods=["OPTIONS"])
def coordination_request_preflight(reference):
    return handlers.preflight(["GET"])


@app.route("/coordination/requests/{reference}/contact", methods=["OPTIONS"])
def coordination_request_contact_preflight(reference):
    return handlers.preflight(["GET"])


@app.route("/coordination/requests/{reference}/close", methods=["OPTIONS"])
def coordination_close_preflight(reference):
    return handlers.preflight(["POST"])


@app.route("/coordination/requests/{reference}/merge", methods=["OPTIONS"])
def coordination_merge_preflight(reference):
    return handlers.preflight(["POST"])


@app.route("/coordination/sites", methods=["OPTIONS"])
def coordination_sites_preflight():
    return handlers.preflight(["GET"])


@app.route("/coordination/sites/{maker_id}/contact", methods=["OPTIONS"])
def coordination_site_contact_preflight(maker_id):
    return handlers.preflight(["GET"])


@app.route("/coordination/allocations", methods=["OPTIONS"])
def coordination_allocate_preflight():
    return handlers.preflight(["POST"])


@app.route("/coordination/allocations/{allocation_id}/cancel", methods=["OPTIONS"])
def coordination_cancel_preflight(allocation_id):
    return handlers.preflight(["POST"])


@app.route("/coordination/export.csv", methods=["OPTIONS"])
def coordination_export_preflight():
    return handlers.preflight(["GET"])


@app.route("/coordination/plans", methods=["OPTIONS"])
def coordination_plan_preflight():
    return handlers.preflight(["POST"])


@app.route("/coordination/plans/{plan_id}/accept", methods=["OPTIONS"])
def coordination_plan_accept_preflight(plan_id):
    return handlers.preflight(["POST"])


@app.route("/coordination/audit", methods=["OPTIONS"])
def coordination_audit_preflight():
    return handlers.preflight(["GET"])
