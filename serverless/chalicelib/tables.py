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
``REQUESTER#<registry>#<postcode>`` ``DESIGN#<slug>``  that organization's latest request
``IDEM#<scope>#<sha256>``           ``IDEM``         first answer to a key; expires_at
``RATE#<sha256>#<window>``          ``RATE``         writes of one client; expires_at
``COUNTER``                         ``<name>``       anonymous counters (honeypot)
==================================  ===============  ========================================

The ``by_listing`` index (``listing`` = "request" | "maker", ``created_at``) holds the
public request and maker items only, projecting the fields ``GET /stats`` aggregates.

Personal data lives under its own partition-key prefix, so an IAM policy can deny a role
every ``PERSONAL#`` item with the ``dynamodb:LeadingKeys`` condition, and a query on a
request's partition never returns personal data.
"""

from __future__ import annotations

import os
import time
from typing import Any

from botocore.exceptions import ClientError

PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at"
BILLING_MODE = "PAY_PER_REQUEST"
# Set on public request and maker items only: the index GET /stats reads never holds a
# personal item, and projects only the public fields the aggregates need.
LISTING_ATTRIBUTE = "listing"
LISTING_INDEX = "by_listing"
LISTING_SORT = "created_at"
LISTING_PROJECTED = ["status", "region", "items", "offers", "maker_kind"]

KEY_SCHEMA = [
    {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
    {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
]
ATTRIBUTE_DEFINITIONS = [
    {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
    {"AttributeName": SORT_KEY, "AttributeType": "S"},
    {"AttributeName": LISTING_ATTRIBUTE, "AttributeType": "S"},
    {"AttributeName": LISTING_SORT, "AttributeType": "S"},
]
GLOBAL_SECONDARY_INDEXES = [
    {
        "IndexName": LISTING_INDEX,
        "KeySchema": [
            {"AttributeName": LISTING_ATTRIBUTE, "KeyType": "HASH"},
            {"AttributeName": LISTING_SORT, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": LISTING_PROJECTED},
    }
]


def _gsis() -> list[dict[str, Any]]:
    return [
        {**g, "KeySchema": [dict(k) for k in g["KeySchema"]],
         "Projection": {**g["Projection"],
                        "NonKeyAttributes": list(g["Projection"]["NonKeyAttributes"])}}
        for g in GLOBAL_SECONDARY_INDEXES
    ]

# Used with a local endpoint only when the environment gives no credentials or region.
# DynamoDB Local without -sharedDb keeps one database per access key and region, so the
# app, the launcher and the tests must share one environment (they do: the launcher
# passes its own to `chalice local`). Access keys must be alphanumeric.
LOCAL_REGION = "eu-west-3"
LOCAL_ACCESS_KEY_ID = "usinelocal"
LOCAL_SECRET_ACCESS_KEY = "usinelocal"

# botocore.config.Config arguments. boto3 itself is imported by connect() only: most of
# the app's import time (a Lambda cold start) would otherwise be boto3's.
CLIENT_CONFIG = {"connect_timeout": 3, "read_timeout": 10,
                 "retries": {"mode": "standard", "max_attempts": 3}}


def table_spec(name: str) -> dict[str, Any]:
    """Keyword arguments of ``create_table`` for the table called ``name``."""
    return {
        "TableName": name,
        "KeySchema": [dict(k) for k in KEY_SCHEMA],
        "AttributeDefinitions": [dict(a) for a in ATTRIBUTE_DEFINITIONS],
        "GlobalSecondaryIndexes": _gsis(),
        "BillingMode": BILLING_MODE,
    }


def cloudformation_table(name: str | None = None) -> dict[str, Any]:
    """An ``AWS::DynamoDB::Table`` resource for the IaC template (SAM/CloudFormation)."""
    props: dict[str, Any] = {
        "KeySchema": [dict(k) for k in KEY_SCHEMA],
        "AttributeDefinitions": [dict(a) for a in ATTRIBUTE_DEFINITIONS],
        "GlobalSecondaryIndexes": _gsis(),
        "BillingMode": BILLING_MODE,
        "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
    }
    if name:
        props["TableName"] = name
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": props}


def connect(endpoint: str | None = None, region: str | None = None):
    """A boto3 DynamoDB service resource.

    Credentials and region come from boto3's usual chain (the environment; Lambda's
    role). With ``endpoint`` (DynamoDB Local) and nothing configured, the local
    placeholders above are used, so a laptop without AWS settings still works.
    """
    import boto3.session
    from botocore.config import Config

    session = boto3.session.Session(region_name=region)
    kwargs: dict[str, Any] = {"config": Config(**CLIENT_CONFIG)}
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


def _error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


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
        if _error_code(exc) != "ResourceNotFoundException":
            raise
        try:
            ddb.create_table(**table_spec(name))
            created = True
        except ClientError as exc2:
            if _error_code(exc2) != "ResourceInUseException":  # created meanwhile
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
        if _error_code(exc) not in ("UnknownOperationException", "ValidationException"):
            raise
