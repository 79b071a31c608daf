"""The API's parts on their own: store, tables, references, config, models, deployment files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import pytest

from api_helpers import SERVERLESS, count_records, today, valid_body

from chalicelib import config, references, tables
from chalicelib.models import PartRequest, RequestContext, parse_request
from chalicelib.dynamo import IdsExhausted
from chalicelib.store import RequestStore, personal_key, request_key

CONTEXT = RequestContext(regions=("Northshire", "Westmoor"), designs=("visor-headband",),
                         today=date(2026, 3, 1))


def part_request(**changes) -> PartRequest:
    body = valid_body(needed_by="2026-03-20", **changes)
    return parse_request(body, CONTEXT)


def references_from(*refs):
    it = iter(refs)
    return lambda: next(it)


# ---------------------------------------------------------------------- store


def test_store_writes_two_items_in_one_transaction(table):
    now = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
    store = RequestStore(table, clock=lambda: now, new_reference=references_from("R-00000001"))
    stored = store.create(part_request())
    assert stored.reference == "R-00000001" and stored.status == "submitted"
    assert store.get_public("R-00000001")["created_at"] == "2026-03-01T09:30:00Z"
    personal = store.get_personal("R-00000001")
    # 90 days after the end of the need date.
    expected = datetime(2026, 3, 20, 23, 59, 59, tzinfo=timezone.utc) + timedelta(days=90)
    assert personal["expires_at"] == int(expected.timestamp())
    assert count_records(table) == 2


def test_personal_data_expires_after_submission_when_the_need_date_is_past():
    store = RequestStore(table=None)
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    assert store.expires_at(date(2026, 2, 1), now) == int((now + timedelta(days=90)).timestamp())


def test_reference_collision_is_retried_and_leaves_nothing_half_written(table):
    table.put_item(Item={**request_key("R-AAAAAAAA"), "entity": "request"})
    store = RequestStore(table, new_reference=references_from("R-AAAAAAAA", "R-BBBBBBBB"))
    assert store.create(part_request()).reference == "R-BBBBBBBB"
    # The failed attempt's personal item was not written: the transaction is atomic.
    assert "Item" not in table.get_item(Key=personal_key("R-AAAAAAAA"))
    assert count_records(table) == 3


def test_existing_personal_item_cancels_the_public_write_too(table):
    table.put_item(Item={**personal_key("R-CCCCCCCC"), "entity": "personal"})
    store = RequestStore(table, new_reference=references_from("R-CCCCCCCC", "R-DDDDDDDD"))
    assert store.create(part_request()).reference == "R-DDDDDDDD"
    assert store.get_public("R-CCCCCCCC") is None
    assert count_records(table) == 3


def test_store_gives_up_after_max_attempts(table):
    table.put_item(Item={**request_key("R-EEEEEEEE"), "entity": "request"})
    store = RequestStore(table, new_reference=lambda: "R-EEEEEEEE", max_attempts=3)
    with pytest.raises(IdsExhausted):
        store.create(part_request())
    assert count_records(table) == 1


def test_other_storage_errors_propagate(aws, moto_resource):
    from botocore.exceptions import ClientError

    store = RequestStore(moto_resource.Table("no-such-table"))
    with pytest.raises(ClientError):
        store.create(part_request())


# ---------------------------------------------------------------------- tables


def test_ensure_table_is_idempotent_and_enables_ttl(aws, moto_resource):
    client = moto_resource.meta.client
    assert tables.ensure_table(client, "t1") is True
    assert tables.ensure_table(moto_resource, "t1") is False  # a resource works too
    described = client.describe_table(TableName="t1")["Table"]
    assert described["TableStatus"] == "ACTIVE"
    assert described["KeySchema"] == tables.KEY_SCHEMA
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client.describe_time_to_live(TableName="t1")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_cloudformation_resource_matches_the_table_spec():
    resource = tables.cloudformation_table("usine-prod")
    props = resource["Properties"]
    spec = tables.table_spec("usine-prod")
    assert resource["Type"] == "AWS::DynamoDB::Table"
    assert props["TableName"] == spec["TableName"]
    assert props["KeySchema"] == spec["KeySchema"]
    assert props["AttributeDefinitions"] == spec["AttributeDefinitions"]
    assert props["BillingMode"] == spec["BillingMode"] == "PAY_PER_REQUEST"
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


# ---------------------------------------------------------------------- references


def test_new_references_are_readable_and_distinct():
    refs = {references.new_reference() for _ in range(2000)}
    assert len(refs) == 2000
    assert all(references.is_reference(r) for r in refs)
    assert not any(c in r[2:] for r in refs for c in "ILOU")


@pytest.mark.parametrize("typed, expected", [
    (" r-7k3m 9q2x ", "R-7K3M9Q2X"),
    ("R-7K3M-9Q2X", "R-7K3M9Q2X"),
    ("r-iloo0000", "R-11000000"),
    ("7k3m9q2x", "R-7K3M9Q2X"),  # the prefix may be left out
    ("R7K3M9Q2X", "R-7K3M9Q2X"),
    ("R-7K3M9Q2", None),  # too short
    ("R-UUUUUUUU", None),  # U is not in the alphabet
])
def test_references_typed_by_hand_are_normalized(typed, expected):
    assert references.normalize_reference(typed) == expected


# ---------------------------------------------------------------------- config


def test_settings_come_from_the_environment_given():
    s = config.settings({"TABLE_NAME": "t", "USINE_STAGE": "prod",
                         "DYNAMODB_ENDPOINT": "http://127.0.0.1:1",
                         "USINE_MANIFEST": "/x/m.json", "USINE_SITE_ORIGIN": "https://a.b/"})
    assert (s.table_name, s.stage, s.dynamodb_endpoint) == ("t", "prod", "http://127.0.0.1:1")
    assert str(s.manifest_path) == "/x/m.json"
    assert config.site_origin(s) == "https://a.b"
    default = config.settings({})
    assert default.stage == "local" and default.table_name is None
    assert default.hub_path == config.REPO_DIR / "hub.toml"
    with pytest.raises(config.ConfigError, match="TABLE_NAME"):
        default.require_table()


def test_site_origin_per_stage_from_hub_toml(hub):
    def origin(stage):
        return config.site_origin(config.settings({"USINE_STAGE": stage,
                                                   "USINE_HUB_CONFIG": str(hub)}))
    assert origin("local") == "http://127.0.0.1:8000"
    assert origin("prod") == "https://prod.example.org"
    # A stage hub.toml does not list falls back to the published site's origin.
    assert origin("dev") == "https://site.example.org"


def test_the_repositorys_hub_toml_is_usable():
    real = config.load_hub(config.REPO_DIR / "hub.toml")
    assert real.regions
    for stage in ("local", "prod"):
        assert config.site_origin(config.settings({"USINE_STAGE": stage})).startswith("http")


def test_bad_origin_is_a_config_error():
    with pytest.raises(config.ConfigError):
        config.site_origin(config.settings({"USINE_SITE_ORIGIN": "127.0.0.1:8000"}))


def test_hub_file_is_reread_when_it_changes(tmp_path):
    hub = tmp_path / "hub.toml"
    hub.write_text('[hub]\nregions = ["A"]\n')
    assert config.load_hub(hub).regions == ("A",)
    hub.write_text('[hub]\nregions = ["A", "Bb"]\n')
    os.utime(hub, ns=(1, 10**18))
    assert config.load_hub(hub).regions == ("A", "Bb")


@pytest.mark.parametrize("text", ["{", "[]", '{"schema": 1}', '{"designs": []}'])
def test_bad_manifest_is_a_config_error(tmp_path, text):
    path = tmp_path / "manifest.json"
    path.write_text(text)
    with pytest.raises(config.ConfigError):
        config.load_catalog(path)


def test_hub_without_regions_is_a_config_error(tmp_path):
    hub = tmp_path / "hub.toml"
    hub.write_text('[hub]\nname = "x"\n')
    with pytest.raises(config.ConfigError, match="regions"):
        config.load_hub(hub)


def test_importing_the_app_reads_no_configuration(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "USINE_MANIFEST": str(tmp_path / "none.json"),
           "USINE_HUB_CONFIG": str(tmp_path / "none.toml")}
    code = "import app; print(sorted(r for r in app.app.routes))"
    out = subprocess.run([sys.executable, "-c", code], cwd=SERVERLESS, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "/requests" in out.stdout


# ---------------------------------------------------------------------- models


def test_validation_requires_a_context():
    with pytest.raises(RuntimeError, match="parse_request"):
        PartRequest.model_validate(valid_body())


def test_earliest_today_is_the_date_at_utc_minus_12():
    assert RequestContext.earliest_today(datetime(2026, 5, 2, 11, 0, tzinfo=timezone.utc)) == \
        date(2026, 5, 1)
    assert RequestContext.earliest_today(datetime(2026, 5, 2, 12, 0, tzinfo=timezone.utc)) == \
        date(2026, 5, 2)
    assert today() <= datetime.now(timezone.utc).date()


def test_models_give_a_json_schema_for_openapi():
    schema = PartRequest.model_json_schema()
    assert set(schema["required"]) >= {"organization", "contact", "delivery", "items",
                                       "needed_by", "consent"}
    assert schema["additionalProperties"] is False
    assert schema["properties"]["consent"]["const"] is True
    org = schema["$defs"]["Organization"]["properties"]["type"]
    assert org["enum"] == ["hospital", "clinic", "care-home", "pharmacy", "other"]
    item = schema["$defs"]["Item"]["properties"]["quantity"]
    assert (item["minimum"], item["maximum"]) == (1, 100000)


# ---------------------------------------------------------------------- deployment files


@pytest.mark.parametrize("stage", ["local", "dev", "prod"])
def test_stage_config_and_hand_written_policy(stage):
    chalice = json.loads((SERVERLESS / ".chalice" / "config.json").read_text())
    assert chalice["app_name"] == "usine" and chalice["autogen_policy"] is False
    stage_cfg = chalice["stages"][stage]
    env = stage_cfg["environment_variables"]
    expected = {"TABLE_NAME": f"usine-{stage}", "USINE_STAGE": stage}
    if stage != "local":  # local keeps its server secret in .data/
        expected["USINE_SECRET_ARN"] = f"usine-{stage}-secret"
    assert env == expected
    policy = json.loads((SERVERLESS / ".chalice" / stage_cfg["iam_policy_file"]).read_text())
    for statement in policy["Statement"]:
        resources = statement["Resource"]
        resources = [resources] if isinstance(resources, str) else resources
        if statement.get("Sid") != "Traces":  # X-Ray has no resource-level permissions
            assert "*" not in resources
        actions = statement["Action"]
        if any(a.startswith("dynamodb:") for a in actions):
            table = f"arn:*:dynamodb:*:*:table/usine-{stage}"
            assert set(resources) <= {table, f"{table}/index/*"}
    allowed = {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    assert "dynamodb:PutItem" in allowed  # what TransactWriteItems' Put needs
    assert "dynamodb:DeleteItem" in allowed  # a maker's withdrawal deletes personal data
    assert "dynamodb:Scan" not in allowed and "dynamodb:*" not in allowed
    denied = {a for s in policy["Statement"] if s["Effect"] == "Deny" for a in s["Action"]}
    assert {"dynamodb:Scan", "dynamodb:Query"} <= denied  # Query: PERSONAL# partitions


def test_lambda_requirements_leave_out_cad_and_pin_pydantic():
    import pydantic

    lines = [line.split("#")[0].strip()
             for line in (SERVERLESS / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert f"pydantic=={pydantic.VERSION}" in lines
    assert not any(line.lower().startswith(("cadquery", "ocp", "trimesh")) for line in lines)


def test_packaged_app_reads_the_bundled_files(tmp_path, manifest, hub):
    """In a Lambda package (no repository around it) the bundled copies are used."""
    import shutil

    import bundle

    task = tmp_path / "var" / "task"
    shutil.copytree(SERVERLESS / "chalicelib", task / "chalicelib",
                    ignore=shutil.ignore_patterns("__pycache__", "generated"))
    written = bundle.bundle(hub=hub, manifest=manifest, dest=task / "chalicelib" / "generated")
    assert [p.name for p in written] == ["hub.toml", "manifest.json"]
    code = ("from chalicelib import config; s = config.settings(); "
            "print(s.hub_path); print(s.manifest_path); "
            "print(config.load_catalog(s.manifest_path).designs); "
            "print(config.site_origin(s))")
    out = subprocess.run([sys.executable, "-c", code], cwd=task, capture_output=True,
                         text=True, timeout=60, env={"PATH": os.environ.get("PATH", ""),
                                                     "USINE_STAGE": "prod"})
    assert out.returncode == 0, out.stderr
    hub_path, manifest_path, designs, origin = out.stdout.splitlines()
    assert hub_path == str(task / "chalicelib" / "generated" / "hub.toml")
    assert manifest_path == str(task / "chalicelib" / "generated" / "manifest.json")
    assert "visor-headband" in designs
    assert origin == "https://prod.example.org"
