"""Deployment checked without AWS, on what serverless/package.py really writes: the
package built offline from the locked wheels (size, contents), the SAM template (cfn-lint,
the table, the key, the secret, the IAM policy, throttling against reserved concurrency,
CORS and valid JSON on API Gateway's own errors), and the tables made by the documented
command from the same definition the template declares. checkov: test_api_template.py."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path

import pytest

from api_helpers import REPO, SERVERLESS
from deploy_helpers import MESSAGES, ORIGIN, packaged, render, template, tool

sys.path.insert(0, str(SERVERLESS))
import iac  # noqa: E402
import package  # noqa: E402
from chalicelib import tables  # noqa: E402

MAX_PACKAGE_BYTES = 5 * 1024 * 1024
KEY_ARN = {"Fn::GetAtt": [iac.KEY_RESOURCE, "Arn"]}
SECRET_ARN = {"Ref": iac.SECRET_RESOURCE}


def resources() -> dict:
    return template()["Resources"]


def gateway_responses(res: dict) -> dict[str, dict]:
    return {r["Properties"]["ResponseType"]: r["Properties"] for r in res.values()
            if r.get("Type") == "AWS::ApiGateway::GatewayResponse"}


# --- the package -------------------------------------------------------------------

@pytest.mark.slow
def test_package_is_built_offline_from_the_locked_wheels():
    """package.py ran with every proxy and index on a dead port (deploy_helpers.OFFLINE_ENV):
    it succeeded, so nothing was downloaded; the wheels are the locked ones."""
    archive = packaged().parent / "deployment.zip"
    size = archive.stat().st_size
    assert size <= MAX_PACKAGE_BYTES, f"deployment.zip is {size} bytes"
    names = zipfile.ZipFile(archive).namelist()
    assert "pydantic_core/_pydantic_core.cpython-311-x86_64-linux-gnu.so" in names
    versions = {m.group(1).lower().replace("_", "-"): m.group(2) for n in names
                if (m := re.fullmatch(r"([^/]+)-([^-/]+)\.dist-info/METADATA", n))}
    assert versions == {name: version for name, (version, _) in package.locked_wheels().items()}


@pytest.mark.slow
def test_package_holds_the_app_and_the_bundled_files():
    names = zipfile.ZipFile(packaged().parent / "deployment.zip").namelist()
    assert "app.py" in names and "chalicelib/handlers.py" in names
    assert "chalicelib/generated/manifest.json" in names
    assert "chalicelib/generated/hub.toml" in names
    # Every catalog (the API's messages and e-mails), and the phone numbers' library.
    catalogs = {p.name for p in (SERVERLESS / "chalicelib" / "locales").glob("*.toml")}
    assert catalogs and {f"chalicelib/locales/{c}" for c in catalogs} <= set(names)
    assert "phonenumbers/__init__.py" in names
    assert not any(n.startswith(("cadquery/", "OCP/", "boto3/", "botocore/")) for n in names)


def test_the_wheel_lock_pins_what_the_package_requires():
    locked = package.locked_wheels()
    for line in (SERVERLESS / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            assert locked[package._normal(name)][0] == version, line
    assert all(len(hashes) >= 1 for _, hashes in locked.values())


def test_packaging_refuses_a_missing_or_altered_wheelhouse(tmp_path):
    with pytest.raises(SystemExit, match="scripts/setup.sh"):
        package.check_wheelhouse(tmp_path)
    for wheel in package.check_wheelhouse():  # setup.sh's, checked
        (tmp_path / wheel.name).write_bytes(wheel.read_bytes())
    victim = next(tmp_path.glob("pydantic_core-*.whl"))
    victim.write_bytes(victim.read_bytes() + b"\0")
    with pytest.raises(SystemExit, match="pydantic-core"):
        package.check_wheelhouse(tmp_path)


def test_chalice_gets_no_index_and_the_lambda_platform():
    env = package.offline_pip_env(REPO / "wheels")
    assert env["PIP_NO_INDEX"] == "1" and env["PIP_FIND_LINKS"] == str(REPO / "wheels")
    assert env["PIP_PLATFORM"].startswith("manylinux") and env["PIP_ABI"] == "cp311"


# --- the template --------------------------------------------------------------------

@functools.cache
def cfn_lint() -> dict[str, list[dict]]:
    """cfn-lint's findings on the packaged template and on one with a broken table, in one
    run (each start costs seconds): {"packaged": [...], "broken": [...]}."""
    folder = Path(tempfile.mkdtemp(prefix="usine-cfn-lint-"))
    broken = template()
    broken["Resources"]["UsineTable"]["Properties"]["BillingMode"] = "FREE"
    (folder / "broken.json").write_text(json.dumps(broken))
    (folder / "packaged.json").write_text(packaged().read_text())
    result = subprocess.run([str(tool("cfn-lint")), "--format", "json",
                             str(folder / "packaged.json"), str(folder / "broken.json")],
                            capture_output=True, text=True)
    findings: dict[str, list[dict]] = {"packaged": [], "broken": []}
    for match in json.loads(result.stdout or "[]"):
        findings[Path(match["Filename"]).stem].append(match)
    shutil.rmtree(folder)
    return findings


@pytest.mark.slow
def test_packaged_template_passes_cfn_lint():
    assert cfn_lint()["packaged"] == []


@pytest.mark.slow
def test_cfn_lint_would_catch_a_broken_table():
    assert any(m["Level"] == "Error" and "FREE" in m["Message"] for m in cfn_lint()["broken"])


@pytest.mark.slow
def test_table_in_the_template_is_the_table_definition_on_the_hubs_key():
    table = resources()["UsineTable"]
    props = table["Properties"]
    assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain"
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS",
                                         "KMSMasterKeyId": KEY_ARN}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    spec = tables.table_spec("x")
    assert props["KeySchema"] == spec["KeySchema"]
    assert props["AttributeDefinitions"] == spec["AttributeDefinitions"]
    assert props.get("GlobalSecondaryIndexes") == spec.get("GlobalSecondaryIndexes")


@pytest.mark.slow
def test_the_hubs_key_is_rotated_kept_and_encrypts_everything():
    res = resources()
    key = res[iac.KEY_RESOURCE]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"  # the retained table is unreadable without it
    principals = [s["Principal"] for s in key["Properties"]["KeyPolicy"]["Statement"]]
    assert "*" not in json.dumps(principals).replace(":*", "")
    assert res["APIHandler"]["Properties"]["KmsKeyArn"] == KEY_ARN
    assert res[iac.SECRET_RESOURCE]["Properties"]["KmsKeyId"] == KEY_ARN
    for name in (iac.ACCESS_LOGS_RESOURCE, iac.FUNCTION_LOGS_RESOURCE):
        logs = res[name]["Properties"]
        assert logs["KmsKeyId"] == KEY_ARN and logs["RetentionInDays"] > 0


@pytest.mark.slow
def test_server_secret_is_generated_and_only_the_function_reads_it():
    res = resources()
    secret = res[iac.SECRET_RESOURCE]
    generated = secret["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] >= 48 and generated["ExcludePunctuation"] is True
    assert res["APIHandler"]["Properties"]["Environment"]["Variables"]["USINE_SECRET_ARN"] \
        == SECRET_ARN
    (policy,) = res["ApiHandlerRole"]["Properties"]["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    reading = [s for s in statements if "secretsmanager" in json.dumps(s["Action"])]
    assert reading == [{"Sid": "ServerSecret", "Effect": "Allow",
                        "Action": ["secretsmanager:GetSecretValue"], "Resource": [SECRET_ARN]}]
    decrypting = [s for s in statements if "kms:" in json.dumps(s["Action"])]
    assert decrypting == [{"Sid": "HubKey", "Effect": "Allow", "Action": ["kms:Decrypt"],
                           "Resource": [KEY_ARN]}]


@pytest.mark.slow
def test_function_uses_the_templates_table_and_a_scoped_policy():
    res = resources()
    env = res["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert env["TABLE_NAME"] == {"Ref": "UsineTable"}
    (policy,) = res["ApiHandlerRole"]["Properties"]["Policies"]
    for statement in policy["PolicyDocument"]["Statement"]:
        actions = statement["Action"]
        assert not any(a.endswith(":*") for a in actions)
        if statement["Sid"] != "Traces":  # X-Ray has no resource-level permissions
            assert "*" not in statement["Resource"]
        else:
            assert actions == iac.XRAY_ACTIONS
        if statement["Effect"] == "Allow" and any(a.startswith("dynamodb:") for a in actions):
            assert all("UsineTable" in json.dumps(r) for r in statement["Resource"])
            assert "dynamodb:Scan" not in actions


@pytest.mark.slow
def test_tracing_and_access_logs():
    res = resources()
    assert res["APIHandler"]["Properties"]["Tracing"] == "Active"
    api = res["RestAPI"]["Properties"]
    assert api["TracingEnabled"] is True
    access = api["AccessLogSetting"]
    assert access["DestinationArn"] == {"Fn::GetAtt": [iac.ACCESS_LOGS_RESOURCE, "Arn"]}
    line = json.loads(access["Format"])  # one JSON object per request
    assert "request_id" in line and "$context.identity.sourceIp" not in access["Format"]
    assert res[iac.APIGW_ACCOUNT]["Properties"]["CloudWatchRoleArn"] == {
        "Fn::GetAtt": [iac.APIGW_LOGS_ROLE, "Arn"]}
    assert res["RestAPI"]["DependsOn"] == [iac.APIGW_ACCOUNT]


def test_throttling_fits_the_reserved_concurrency():
    """A burst arrives at once; a second of the rate runs for up to REQUEST_SECONDS."""
    assert iac.THROTTLE_BURST <= iac.RESERVED_CONCURRENCY
    assert iac.THROTTLE_RATE * iac.REQUEST_SECONDS <= iac.RESERVED_CONCURRENCY
    config = json.loads((SERVERLESS / ".chalice" / "config.json").read_text())
    assert config["reserved_concurrency"] == iac.RESERVED_CONCURRENCY  # chalice deploy too
    assert config["xray"] is True


@pytest.mark.slow
def test_throttling_and_concurrency_in_the_template():
    res = resources()
    (setting,) = res["RestAPI"]["Properties"]["MethodSettings"]
    assert setting["ThrottlingRateLimit"] == iac.THROTTLE_RATE
    assert setting["ThrottlingBurstLimit"] == iac.THROTTLE_BURST
    assert res["APIHandler"]["Properties"]["ReservedConcurrentExecutions"] \
        == iac.RESERVED_CONCURRENCY


@pytest.mark.slow
def test_cors_and_retry_after_on_gateway_errors():
    kinds = gateway_responses(resources())
    assert set(kinds) == {"DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED", "UNAUTHORIZED",
                          "ACCESS_DENIED"}
    for kind, props in kinds.items():
        headers = props["ResponseParameters"]
        assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{ORIGIN}'"
        assert props["RestApiId"] == {"Ref": "RestAPI"}
        retry = headers.get("gatewayresponse.header.Retry-After")
        if kind in ("DEFAULT_5XX", "THROTTLED"):  # a static value, in single quotes
            assert re.fullmatch(r"'[1-9][0-9]*'", retry), retry
        else:  # a refusal: retrying the same call will not help
            assert retry is None
    assert kinds["UNAUTHORIZED"]["ResponseParameters"][
        "gatewayresponse.header.WWW-Authenticate"] == "'Bearer'"


def check_gateway_bodies(res: dict) -> None:
    """Each ResponseTemplate, filled as API Gateway fills it, is the API's error JSON."""
    kinds = gateway_responses(res)
    assert kinds
    for kind, props in kinds.items():
        (mapping,) = props["ResponseTemplates"].values()
        for message in MESSAGES:
            body = json.loads(render(mapping, message, request_id="req-42"))
            assert set(body) == {"error", "message", "request_id"}, kind
            assert body["error"] == iac.GATEWAY_ERRORS[kind]
            assert body["message"] == message and body["request_id"] == "req-42"


@pytest.mark.slow
def test_gateway_errors_of_the_packaged_template_are_json():
    check_gateway_bodies(resources())


def test_gateway_errors_of_the_merge_template_are_json():
    check_gateway_bodies(iac.merge_template(ORIGIN)["Resources"])


def test_rendering_catches_the_old_quoted_message():
    """messageString arrives quoted: quoting it again, as before, is broken JSON."""
    old = {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": {
        "ResponseType": "THROTTLED", "ResponseTemplates": {"application/json": json.dumps(
            {"error": "throttled", "message": "$context.error.messageString"})}}}
    with pytest.raises(json.JSONDecodeError):
        check_gateway_bodies({"old": old})


def test_gateway_error_codes_are_the_apis():
    """The codes clients already handle for 429 and 503 (README "Errors")."""
    readme = (SERVERLESS / "README.md").read_text()
    for kind in ("THROTTLED", "DEFAULT_5XX"):
        assert f"`{iac.GATEWAY_ERRORS[kind]}`" in readme


# --- chalice deploy -----------------------------------------------------------------

def test_policy_files_for_chalice_deploy_are_the_generated_ones():
    for stage in iac.STAGES:
        on_disk = json.loads((SERVERLESS / ".chalice" / f"policy-{stage}.json").read_text())
        assert on_disk == iac.stage_policy(stage), "run python serverless/iac.py --write-policies"


def test_chalice_deploy_stages_read_their_named_secret():
    config = json.loads((SERVERLESS / ".chalice" / "config.json").read_text())
    for stage, settings in config["stages"].items():
        name = settings["environment_variables"].get("USINE_SECRET_ARN")
        if stage == "local":
            assert name is None  # a file in .data/ (chalicelib/secret.py)
            continue
        assert name == f"usine-{stage}-secret"
        (allowed,) = [s["Resource"] for s in iac.stage_policy(stage)["Statement"]
                      if s["Sid"] == "ServerSecret"]
        assert [re.sub(r"\?+$", "", r).rsplit(":", 1)[1] for r in allowed] == [f"{name}-"]


def test_create_tables_command_on_dynamodb_local(dynamodb_endpoint):
    name = f"usine-cmd-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, str(SERVERLESS / "create_tables.py"),
               "--endpoint-url", dynamodb_endpoint, "--table", name]
    first = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    again = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    assert "already there" in again.stdout
    client = tables.connect(dynamodb_endpoint,
                            client_config=tables.TOOL_CLIENT_CONFIG).meta.client
    try:
        table = client.describe_table(TableName=name)["Table"]
        declared_table = iac.merge_template(ORIGIN)["Resources"]["UsineTable"]["Properties"]
        assert table["KeySchema"] == declared_table["KeySchema"]
        made = table.get("GlobalSecondaryIndexes", [])
        declared = declared_table.get("GlobalSecondaryIndexes", [])
        assert [(i["IndexName"], i["KeySchema"], i["Projection"].get("NonKeyAttributes"))
                for i in made] == [(i["IndexName"], i["KeySchema"],
                                    i["Projection"].get("NonKeyAttributes")) for i in declared]
    finally:
        client.delete_table(TableName=name)
