"""What the deploy and template tests share: one offline run of serverless/package.py per
test process, the way API Gateway fills a mapping template, and the tools (cfn-lint,
checkov) that must be there (setup installs them: a missing one fails, never skips)."""

from __future__ import annotations

import atexit
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from api_helpers import REPO, SERVERLESS, write_hub, write_manifest

ORIGIN = "https://prod.example.org"  # write_hub's prod site_origin
# Every way out to a network, pointed at a closed port (9, discard): a download fails.
DEAD = "http://127.0.0.1:9"
OFFLINE_ENV = {"HTTP_PROXY": DEAD, "HTTPS_PROXY": DEAD, "http_proxy": DEAD,
               "https_proxy": DEAD, "ALL_PROXY": DEAD, "NO_PROXY": "", "no_proxy": "",
               "PIP_INDEX_URL": f"{DEAD}/simple", "PIP_EXTRA_INDEX_URL": f"{DEAD}/simple"}


@functools.cache
def packaged() -> Path:
    """OUT/sam.json of ``serverless/package.py --stage prod OUT``, run as a command on a
    copy of serverless/ (the tree stays as it is) with every network route dead."""
    work = Path(tempfile.mkdtemp(prefix="usine-package-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    project = work / "serverless"
    shutil.copytree(SERVERLESS, project, ignore=shutil.ignore_patterns(
        "__pycache__", "generated", "deployments"))  # no cached zip from an earlier run
    hub = write_hub(work / "hub.toml")
    manifest = write_manifest(work / "manifest.json")
    result = subprocess.run(
        [sys.executable, str(SERVERLESS / "package.py"), "--stage", "prod", str(work / "out"),
         "--hub", str(hub), "--manifest", str(manifest), "--project", str(project)],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, **OFFLINE_ENV})
    assert result.returncode == 0, result.stdout + result.stderr
    return work / "out" / "sam.json"


def template() -> dict:
    """A fresh copy of the packaged template (tests may change it)."""
    return json.loads(packaged().read_text())


def tool(name: str, venv: str = ".venv") -> Path:
    """A command-line tool that scripts/setup.sh installs; missing, the test fails."""
    path = REPO / venv / "bin" / name
    if not path.exists():
        pytest.fail(f"{name} is not installed ({path}): run scripts/setup.sh")
    return path


# API Gateway fills a mapping template's $context variables before sending it: most as
# plain text; $context.error.messageString as the message already in JSON quotes.
VARIABLE = re.compile(r"\$context\.([A-Za-z]+(?:\.[A-Za-z]+)*)")
MESSAGES = ["Too Many Requests", "Missing Authentication Token", "Internal server error",
            'A "quoted" word, a back\\slash and a tab\t']


def render(mapping_template: str, message: str, request_id: str = "c0a8f00d-1b2e-4d5f") -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "error.messageString":
            return json.dumps(message)
        if name in ("requestId", "extendedRequestId"):
            return request_id
        raise AssertionError(f"$context.{name}: not a variable this test knows how to fill")
    return VARIABLE.sub(value, mapping_template)
