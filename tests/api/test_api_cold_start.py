"""Cold start: importing the app loads neither pydantic nor boto3; the body models are
loaded by the first route that validates a body (every write test exercises that path)."""

from __future__ import annotations

import json
import subprocess
import sys

from api_helpers import SERVERLESS

HEAVY = ("pydantic", "boto3", "chalicelib.models", "chalicelib.maker_models",
         "chalicelib.answers", "chalicelib.fields", "chalicelib.openapi")


def loaded_after(code: str) -> set[str]:
    script = (f"import sys, json; sys.path.insert(0, {str(SERVERLESS)!r}); {code}; "
              "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=SERVERLESS, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_the_app_loads_no_heavy_module():
    modules = loaded_after("import app")
    assert not {m for m in modules for h in HEAVY if m == h or m.startswith(h + ".")}
