"""The DynamoDB table as data, and how to make sure it exists.

One table per stage (name from ``TABLE_NAME``), string keys ``pk``/``sk``, on-demand
billing, TTL on ``expires_at`` (epoch seconds). The same description feeds
``ensure_table`` (local launcher, tests) and :func:`cloudformation_table` (the IaC
template).

Item layout (``store.py``, ``maker_store.py``, ``idempotency.py``, ``ratelimit.py``):

==================================  ===============  ========================================
pk                                  sk               holds
==================================  ===============  ========================================
``REQUEST#<ref>``                   ``REQUEST``      a part request without personal data
``PERSONAL#<ref>``                  ``REQUEST``      its contact, address, notes; expires_at
``MAKER#<id>``                      ``MAKER``        a maker's capacity (no personal data)
``PERSONAL#<id>``                   ``MAKER``        its name, contact, postcode; expires_at
``REQUESTER#<registry>#<postcode>`` ``REQUEST#<at>#<ref>`` one per request: possible repeats
``IDEM#<scope>#<sha256>``           ``IDEM``         first answer to a key; expires_at
``RATE#<sha256>#<window>``          ``RATE``         writes of one client; expires_at
``COUNTER``                         ``<name>``       anonymous counters (honeypot)
``REQUEST#<ref>``                   ``ALLOC#<id>``   an allocation of the request (no personal data)
``COORDINATORS``                    ``<id>``         a coordinator: name, scope, token hash
``AUDIT#<day>``                     ``<at>#<rand>``  one audit entry, append-only
``STATS#REQUESTS``                  ``<design>#<n>`` request counters of ``GET /stats``
``STATS#MAKERS``                    ``<date>[#<design>]``, ``withdrawn``: maker counters
==================================  ===============  ========================================

``GET /stats`` reads only the ``STATS#`` counters (``stats.py``), which the writers change
in the same transaction as the records. The sparse index ``lists`` (``list_pk``/``list_sk``)
holds ``OPEN#<region>`` open requests by need date, ``SITES#<region>`` active sites and
``SITE#<maker id>`` a site's allocations by day.

Personal data lives under its own partition-key prefix, so an IAM policy can deny a role
every ``PERSONAL#`` item with the ``dynamodb:LeadingKeys`` condition, and a query on a
request's partition never returns personal data.
"""

from __future__ import annotations

import os
import time
from typing import Any

from botocore.exceptions import ClientError

from .faults import error_code

PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at"
BILLING_MODE = "PAY_PER_REQUEST"

KEY_SCHEMA = [
    {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
    {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
]
# The sparse index of every coordinator list: only items that belong on a list carry its
# keys (an open request, an active site, an allocation), so a list is one query, never a
# scan, and an item leaves its list by losing the attributes (allocations.py).
LISTS_INDEX = "lists"
LIST_PK = "list_pk"
LIST_SK = "list_sk"
ATTRIBUTE_DEFINITIONS = [
    {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
    {"AttributeName": SORT_KEY, "AttributeType": "S"},
    {"AttributeName": LIST_PK, "AttributeType": "S"},
    {"AttributeName": LIST_SK, "AttributeType": "S"},
]
# table_spec, cloudformation_table and ensure_table (adds it to an existing table) follow.
GLOBAL_SECONDARY_INDEXES: list[dict[str, Any]] = [{
    "IndexName": LISTS_INDEX,
    "KeySchema": [{"AttributeName": LIST_PK, "KeyType": "HASH"},
                  {"AttributeName": LIST_SK, "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "ALL"},
}]


def _gsis() -> list[dict[str, Any]]:
    return [{**g, "KeySchema": [dict(k) for k in g["KeySchema"]],
             "Projection": dict(g["Projection"])} for g in GLOBAL_SECONDARY_INDEXES]

# Used with a local endpoint only when the environment gives no credentials or region.
# DynamoDB Local without -sharedDb keeps one database per access key and region, so the
# app, the launcher and the tests must share one environment (they do: the launcher
# passes its own to `chalice local`). Access keys must be alphanumeric.
LOCAL_REGION = "eu-west-3"
LOCAL_ACCESS_KEY_ID = "usinelocal"
LOCAL_SECRET_ACCESS_KEY = "usinelocal"

# botocore.config.Config arguments. boto3 itself is imported by connect() only: most of
# the app's import time (a Lambda cold start) would otherwise be boto3's.
# Budgeted inside the function's timeout (.chalice/config.json lambda_timeout = 28 s, under
# API Gateway's 29 s), so a slow DynamoDB gives the caller our 503 + Retry-After, not API
# Gateway's 502/504: one call takes at most 2 attempts x (1 s connect + 3 s read) + one
# backoff of at most 2 s = 10 s; a request makes at most 2 calls in a row
# (faults.MAX_SEQUENTIAL_CALLS), after reading the server secret on a cold start (2 calls
# of SECRET_CLIENT_CONFIG, 3 s each): 6 + 20 + 2 s of the handler's own = 28 s (a test).
# DynamoDB answers in milliseconds: a 3 s read is already a failing service (3 s, not 2:
# DynamoDB Local on a busy 2-core laptop or CI machine can take a second or two).
# (botocore's "max_attempts" counts retries, "total_max_attempts" counts every attempt:
# the old {"max_attempts": 3} made 4 attempts of up to 13 s each.)
CLIENT_CONFIG = {"connect_timeout": 1, "read_timeout": 3,
                 "retries": {"mode": "standard", "total_max_attempts": 2}}
# Secrets Manager, read once per container: one attempt (a cold start that fails answers
# 503 and the next request tries again).
SECRET_CLIENT_CONFIG = {"connect_timeout": 1, "read_timeout": 2,
                        "retries": {"mode": "standard", "total_max_attempts": 1}}
SECRET_READS = 2  # AWSCURRENT and AWSPREVIOUS
# Tools and tests (create_tables, the local launcher, fixtures, load and benchmarks) are not
# bound by the function's timeout: they wait for a busy DynamoDB Local rather than fail.
TOOL_CLIENT_CONFIG = {"connect_timeout": 5, "read_timeout": 60,
                      "retries": {"mode": "standard", "total_max_attempts": 5}}


def table_spec(name: str) -> dict[str, Any]:
    """Keyword arguments of ``create_table`` for the table called ``name``."""
    spec: dict[str, Any] = {
        "TableName": name,
        "KeySchema": [dict(k) for k in KEY_SCHEMA],
        "AttributeDefinitions": [dict(a) for a in ATTRIBUTE_DEFINITIONS],
        "BillingMode": BILLING_MODE,
    }
    if GLOBAL_SECONDARY_INDEXES:  # an empty list is refused
        spec["GlobalSecondaryIndexes"] = _gsis()
    return spec


def cloudformation_table(name: str | None = None) -> dict[str, Any]:
    """An ``AWS::DynamoDB::Table`` resource for the IaC template (SAM/CloudFormation)."""
    props: dict[str, Any] = {
        "KeySchema": [dict(k) for k in KEY_SCHEMA],
        "AttributeDefinitions": [dict(a) for a in ATTRIBUTE_DEFINITIONS],
        "BillingMode": BILLING_MODE,
        "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
    }
    if GLOBAL_SECONDARY_INDEXES:
        props["GlobalSecondaryIndexes"] = _gsis()
    if name:
        props["TableName"] = name
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": props}


def connect(endpoint: str | None = None, region: str | None = None,
            client_config: dict[str, Any] | None = None):
    """A boto3 DynamoDB service resource.

    Credentials and region come from boto3's usual chain (the environment; Lambda's
    role). With ``endpoint`` (DynamoDB Local) and nothing configured, the local
    placeholders above are used, so a laptop without AWS settings still works.
    ``client_config`` replaces :data:`CLIENT_CONFIG` (the API's budget), e.g. for tools
    that are not bound by the function's timeout.
    """
    import boto3.session
    from botocore.config import Config

    chosen = CLIENT_CONFIG if client_config is None else client_config
    session = boto3.session.Session(region_name=region)
    kwargs: dict[str, Any] = {"config": Config(**{k: (dict(v) if isinstance(v, dict) else v)
                                                   for k, v in chosen.items()})}
    if endpoint:
        kwargs["endpoint_url"] = endpoint
        if session.region_name is None:
            kwargs["region_name"] = LOCAL_REGION
        # Only the environment is consulted (no instance-metadata lookup on a laptop).
        if not (os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")):
            kwargs["aws_access_key_id"] = LOCAL_ACCESS_KEY_ID
            kwargs["aws_secret_access_key"] = LOCAL_SECRET_ACCESS_KEY
    return session.resource("dynamodb", **kwargs)


def _low_level(client: Any) -> Any:
    # Accept a client, a service resource or a Table resource.
    meta = getattr(client, "meta", None)
    return getattr(meta, "client", None) or client


def ensure_table(client: Any, name: str, *, timeout: float = 60.0) -> bool:
    """Create the table if it does not exist, wait until ACTIVE, enable TTL.

    Idempotent and safe when two processes race. Returns True if this call created it.
    ``client`` may be a boto3 DynamoDB client or resource.
    """
    ddb = _low_level(client)
    created = False
    try:
        status = ddb.describe_table(TableName=name)["Table"]["TableStatus"]
    except ClientError as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
        try:
            ddb.create_table(**table_spec(name))
            created = True
        except ClientError as exc2:
            if error_code(exc2) != "ResourceInUseException":  # created meanwhile
                raise
        status = None
    deadline = time.monotonic() + timeout
    while status != "ACTIVE":
        if status is not None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"table {name} not ACTIVE after {timeout:.0f} s")
            time.sleep(0.5)
        status = ddb.describe_table(TableName=name)["Table"]["TableStatus"]
    _ensure_indexes(ddb, name, deadline)
    _ensure_ttl(ddb, name)
    return created


def _ensure_indexes(ddb: Any, name: str, deadline: float) -> None:
    """Add the indexes a table made by an older version lacks (and wait for them)."""
    while True:
        table = ddb.describe_table(TableName=name)["Table"]
        present = {g["IndexName"]: g.get("IndexStatus") for g in
                   table.get("GlobalSecondaryIndexes", [])}
        missing = [g for g in _gsis() if g["IndexName"] not in present]
        if missing:
            ddb.update_table(
                TableName=name,
                AttributeDefinitions=[dict(a) for a in ATTRIBUTE_DEFINITIONS],
                GlobalSecondaryIndexUpdates=[{"Create": g} for g in missing[:1]],
            )
            continue
        if all(status in (None, "ACTIVE") for status in present.values()):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"indexes of table {name} not ACTIVE")
        time.sleep(0.5)


def _ensure_ttl(ddb: Any, name: str) -> None:
    try:
        current = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
            return
        ddb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
        )
    except ClientError as exc:
        # An engine without TTL support: the attribute is still written; AWS enforces it.
        if error_code(exc) not in ("UnknownOperationException", "ValidationException"):
            raise
