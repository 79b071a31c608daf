"""Schemathesis against `chalice local` on DynamoDB Local: every check, stateless and stateful.

`--checks all` but ignored_auth (below): no 5xx, no answer off the document, no
schema-valid request refused (positive_data_acceptance) and no schema-invalid one accepted
(negative_data_rejection). The stateful phase follows the document's links: POST /requests
-> GET /requests/{reference} and POST /makers -> GET, PUT, DELETE /makers/{maker_id}, with
the token of the 201 in `Authorization`. A missing schemathesis fails the run: setup
installs it (requirements.lock), so its absence is a broken environment, not a reason to skip.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import chalice_local
from api_helpers import write_hub, write_manifest
from chalicelib import tables
from ports import free_port

pytestmark = pytest.mark.slow

MIN_CASES = 1000
# Examples per operation and phase (26 operations: coordinator routes answer 401 to the
# fuzzer, which has no coordinator token; their logic is tested in test_api_coordination*);
# the coverage phase adds its own
# deterministic cases (boundaries, each keyword violated), the stateful phase its scenarios.
EXAMPLES = 40
TIME_BUDGET = 240  # seconds for the whole run on a 2-core machine (--max-time)
SEED = 1

# `chalice local` (Python's http.server) answers TRACE/OPTIONS itself with 501: only methods
# that reach the app are tried as "unexpected". 413 is a refusal too (a mutated body
# may outgrow 64 KiB): added to the statuses negative_data_rejection expects.
CONFIG = """\
[phases.coverage]
unexpected-methods = ["get", "put", "post", "delete", "patch"]

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422",
                     "428", "429", "5xx"]
"""


# ignored_auth is left out, and only it: it wants 401/403 without a token, where this API
# answers 404 as for an unknown reference (on purpose: no answer tells whether a reference
# exists), and schemathesis 4.32 counts the token a link supplies as a generated (invalid)
# one, so every successful linked GET/PUT/DELETE would be reported. Tokens are tested in
# test_api_tracking.py and test_api_makers.py (wrong, missing, another's: the same 404).


def st_executable() -> Path:
    st = Path(sys.executable).with_name("st")
    if not st.exists():
        pytest.fail("schemathesis is not installed in this environment (requirements.lock "
                    "pins it; run scripts/setup.sh): the fuzz run cannot be skipped")
    return st


@pytest.fixture(scope="module")
def fuzz_api(dynamodb_endpoint, tmp_path_factory):
    tables.ensure_table(tables.connect(dynamodb_endpoint, client_config=tables.TOOL_CLIENT_CONFIG).meta.client, "usine-local")
    folder = tmp_path_factory.mktemp("fuzz")
    server = chalice_local.start(free_port(), {
        "DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "USINE_MANIFEST": str(write_manifest(folder / "manifest.json")),
        "USINE_HUB_CONFIG": str(write_hub(folder / "hub.toml")),
        "USINE_SITE_ORIGIN": "http://127.0.0.1:1", "USINE_RATE_LIMIT": "0"})
    try:
        yield server, folder
    finally:
        server.stop()


def _counts(output: str) -> dict[str, int]:
    """Figures of st's summary: cases generated in all, stateful scenarios, links covered."""
    counts = {}
    for key, pattern in (("total", r"(\d+) generated"), ("stateful", r"Scenarios:\s+(\d+)"),
                         ("links", r"API Links:\s+(\d+) covered")):
        found = re.search(pattern, output)
        if found:
            counts[key] = int(found.group(1))
    return counts


def test_schemathesis_all_checks_stateless_and_stateful(fuzz_api):
    st = st_executable()
    server, folder = fuzz_api
    config = folder / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [str(st), "--config-file", str(config), "run", f"{server.url}/openapi.json",
               "--checks", "all", "--exclude-checks", "ignored_auth",
               "--phases", "examples,coverage,fuzzing,stateful",
               # The body's patterns (exact, padding included) make the negative generator
               # discard many drafts: a generator speed warning, not an API defect.
               "--suppress-health-check", "filter_too_much",
               "-n", str(EXAMPLES), "--seed", str(SEED), "--max-time", str(TIME_BUDGET),
               "--no-color", "--request-timeout", "20", "--continue-on-failure"]
    # The document's phones are "format": "phone": the hooks draw valid numbers for it.
    here = Path(__file__).resolve().parent
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join([str(here), str(here.parents[1] / "serverless"),
                                          os.environ.get("PYTHONPATH", "")])}
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIME_BUDGET + 180,
                            env=env)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    (folder / "st-output.txt").write_text(output)
    counts = _counts(output)
    print(f"\nschemathesis: {counts} in {elapsed:.0f} s (output: {folder / 'st-output.txt'})"
          f"\n$ {' '.join(command)}")
    print(textwrap.indent(output[-3000:], "  "))
    assert result.returncode == 0, output[-8000:]
    assert counts.get("total", 0) >= MIN_CASES, output[-3000:]
    # The 4 links the document declares (201 -> the operations its token opens), and
    # those schemathesis infers from matching parameter names.
    assert counts.get("stateful", 0) > 0 and counts.get("links", 0) >= 4, output[-3000:]
