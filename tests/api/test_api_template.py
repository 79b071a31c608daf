"""checkov on the packaged SAM template: zero failed checks, each skip justified in the
template itself, and each fix proved by a template that lacks it and fails that check.

One checkov run (it takes ~15 s to start) scans the packaged template and its mutants
together; checkov lives in .venv-tools (its pins conflict with requirements.lock)."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from deploy_helpers import OFFLINE_ENV, template, tool

pytestmark = pytest.mark.slow

SKIPPED = {"CKV_AWS_116": "APIHandler", "CKV_AWS_117": "APIHandler", "CKV_AWS_120": "RestAPI"}


def props(t: dict, name: str) -> dict:
    return t["Resources"][name]["Properties"]


def without_key(t):
    del t["Resources"]["UsineKey"], t["Resources"]["UsineKeyAlias"]
    del props(t, "APIHandler")["KmsKeyArn"], props(t, "UsineSecret")["KmsKeyId"]
    props(t, "UsineTable")["SSESpecification"] = {"SSEEnabled": True}
    for logs in ("ApiAccessLogs", "FunctionLogs"):
        del props(t, logs)["KmsKeyId"]


def without_rotation(t):
    props(t, "UsineKey")["EnableKeyRotation"] = False


def without_tracing(t):
    props(t, "RestAPI")["TracingEnabled"] = False


def without_access_logs(t):
    del props(t, "RestAPI")["AccessLogSetting"]


def without_retention(t):
    del props(t, "ApiAccessLogs")["RetentionInDays"]


def without_reserved_concurrency(t):
    del props(t, "APIHandler")["ReservedConcurrentExecutions"]


def without_skips(t):
    for name in set(SKIPPED.values()):
        del t["Resources"][name]["Metadata"]


MUTANTS: dict[str, tuple[Callable[[dict], None], set[str]]] = {
    "without_key": (without_key, {"CKV_AWS_119", "CKV_AWS_173", "CKV_AWS_149", "CKV_AWS_158"}),
    "without_rotation": (without_rotation, {"CKV_AWS_7"}),
    "without_tracing": (without_tracing, {"CKV_AWS_73"}),
    "without_access_logs": (without_access_logs, {"CKV_AWS_76"}),
    "without_retention": (without_retention, {"CKV_AWS_66"}),
    "without_reserved_concurrency": (without_reserved_concurrency, {"CKV_AWS_115"}),
    "without_skips": (without_skips, set(SKIPPED)),
}


@functools.cache
def checkov_results() -> dict[str, dict[str, list[dict]]]:
    """{template name: {"failed": [...], "skipped": [...], "passed": [...]}}"""
    checkov = tool("checkov", venv=".venv-tools")
    folder = Path(tempfile.mkdtemp(prefix="usine-checkov-"))
    (folder / "packaged.json").write_text(json.dumps(template()))
    for name, (mutate, _) in MUTANTS.items():
        mutant = template()
        mutate(mutant)
        (folder / f"{name}.json").write_text(json.dumps(mutant))
    result = subprocess.run(
        [str(checkov), "--directory", str(folder), "--framework", "cloudformation",
         "--output", "json", "--skip-download"],  # no guidelines from the vendor's API
        capture_output=True, text=True, env={**os.environ, **OFFLINE_ENV}, cwd=folder)
    shutil.rmtree(folder)
    reports = json.loads(result.stdout)
    report = reports[0] if isinstance(reports, list) else reports
    assert report["check_type"] == "cloudformation", result.stderr[-2000:]
    found: dict[str, dict[str, list[dict]]] = {}
    for outcome in ("failed", "skipped", "passed"):
        for check in report["results"][f"{outcome}_checks"]:
            name = Path(check["file_path"]).stem
            found.setdefault(name, {"failed": [], "skipped": [], "passed": []})
            found[name][outcome].append(check)
    assert set(found) == {"packaged", *MUTANTS}, sorted(found)
    return found


def test_packaged_template_passes_checkov():
    packaged = checkov_results()["packaged"]
    failed = [(c["check_id"], c["resource"]) for c in packaged["failed"]]
    assert failed == []
    assert len(packaged["passed"]) >= 25  # the checks of every resource ran


def test_each_skip_is_on_its_resource_with_the_reason():
    skipped = {c["check_id"]: c for c in checkov_results()["packaged"]["skipped"]}
    assert set(skipped) == set(SKIPPED)
    for check_id, resource in SKIPPED.items():
        assert skipped[check_id]["resource"].endswith(f".{resource}")
        assert len(skipped[check_id]["check_result"]["suppress_comment"]) > 40


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_checkov_fails_a_template_without_the_fix(mutant):
    failed = {c["check_id"] for c in checkov_results()[mutant]["failed"]}
    assert MUTANTS[mutant][1] <= failed, sorted(failed)
