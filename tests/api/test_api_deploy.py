"""Deployment checked without AWS: the packaged SAM template (cfn-lint), the IAM policy,
throttling, CORS on API Gateway's own errors, and the tables made by the documented
command from the same definition the template declares."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from api_helpers import REPO, SERVERLESS, write_hub, write_manifest

sys.path.insert(0, str(SERVERLESS))
import iac  # noqa: E402
from chalicelib import tables  # noqa: E402

ORIGIN = "https://prod.example.org"


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    """`serverless/package.py` run on a copy of serverless/ (the tree stays as it is)."""
    import package

    work = tmp_path_factory.mktemp("pkg")
    project = work / "serverless"
    shutil.copytree(SERVERLESS, project, ignore=shutil.ignore_patterns(
        "__pycache__", "generated"))
    hub = write_hub(work / "hub.toml")
    manifest = write_manifest(work / "manifest.json")
    template = package.package(work / "out", "prod", hub=hub, manifest=manifest,
                               project=project)
    return template


def resources(template: Path) -> dict:
    return json.loads(template.read_text())["Resources"]


@pytest.mark.slow
def test_packaged_template_passes_cfn_lint(packaged):
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    if not cfn_lint.exists():
        pytest.skip("cfn-lint is not installed (pip install cfn-lint)")
    result = subprocess.run([str(cfn_lint), str(packaged)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_cfn_lint_would_catch_a_broken_table(packaged, tmp_path):
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    if not cfn_lint.exists():
        pytest.skip("cfn-lint is not installed")
    template = json.loads(packaged.read_text())
    template["Resources"]["UsineTable"]["Properties"]["BillingMode"] = "FREE"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(template))
    assert subprocess.run([str(cfn_lint), str(broken)], capture_output=True).returncode != 0


@pytest.mark.slow
def test_table_in_the_template_is_the_table_definition(packaged):
    table = resources(packaged)["UsineTable"]
    props = table["Properties"]
    assert table["DeletionPolicy"] == "Retain"
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    spec = tables.table_spec("x")
    assert props["KeySchema"] == spec["KeySchema"]
    assert props["AttributeDefinitions"] == spec["AttributeDefinitions"]
    assert props["GlobalSecondaryIndexes"] == spec["GlobalSecondaryIndexes"]


@pytest.mark.slow
def test_function_uses_the_templates_table_and_a_scoped_policy(packaged):
    res = resources(packaged)
    env = res["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert env["TABLE_NAME"] == {"Ref": "UsineTable"}
    (policy,) = res["ApiHandlerRole"]["Properties"]["Policies"]
    for statement in policy["PolicyDocument"]["Statement"]:
        actions = statement["Action"]
        assert "*" not in statement["Resource"] and "dynamodb:*" not in actions
        if statement["Effect"] == "Allow" and any(a.startswith("dynamodb:") for a in actions):
            assert all("UsineTable" in json.dumps(r) for r in statement["Resource"])
            assert "dynamodb:Scan" not in actions


@pytest.mark.slow
def test_throttling_and_cors_on_gateway_errors(packaged):
    res = resources(packaged)
    (setting,) = res["RestAPI"]["Properties"]["MethodSettings"]
    assert setting["ThrottlingRateLimit"] > 0 and setting["ThrottlingBurstLimit"] > 0
    kinds = {r["Properties"]["ResponseType"]: r["Properties"] for r in res.values()
             if r["Type"] == "AWS::ApiGateway::GatewayResponse"}
    assert set(kinds) == {"DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED"}
    for props in kinds.values():
        headers = props["ResponseParameters"]
        assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{ORIGIN}'"
        assert props["RestApiId"] == {"Ref": "RestAPI"}


@pytest.mark.slow
def test_package_holds_the_app_and_the_bundled_files(packaged):
    import zipfile

    names = zipfile.ZipFile(packaged.parent / "deployment.zip").namelist()
    assert "app.py" in names and "chalicelib/handlers.py" in names
    assert "chalicelib/generated/manifest.json" in names
    assert "chalicelib/generated/hub.toml" in names
    assert not any(n.startswith(("cadquery/", "OCP/", "boto3/", "botocore/")) for n in names)


def test_policy_files_for_chalice_deploy_are_the_generated_ones():
    for stage in iac.STAGES:
        on_disk = json.loads((SERVERLESS / ".chalice" / f"policy-{stage}.json").read_text())
        assert on_disk == iac.stage_policy(stage), f"run python serverless/iac.py --write-policies"


def test_create_tables_command_on_dynamodb_local(dynamodb_endpoint):
    name = f"usine-cmd-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, str(SERVERLESS / "create_tables.py"),
               "--endpoint-url", dynamodb_endpoint, "--table", name]
    first = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    again = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    assert "already there" in again.stdout
    client = tables.connect(dynamodb_endpoint).meta.client
    try:
        table = client.describe_table(TableName=name)["Table"]
        template = iac.merge_template(ORIGIN)["Resources"]["UsineTable"]["Properties"]
        assert table["KeySchema"] == template["KeySchema"]
        (index,) = table["GlobalSecondaryIndexes"]
        (declared,) = template["GlobalSecondaryIndexes"]
        assert index["KeySchema"] == declared["KeySchema"]
        assert index["Projection"]["NonKeyAttributes"] == declared["Projection"]["NonKeyAttributes"]
    finally:
        client.delete_table(TableName=name)
