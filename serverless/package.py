"""Package the API for AWS without deploying: SAM template + deployment.zip in OUT.

    .venv/bin/python serverless/package.py --stage prod build/aws

Bundles hub.toml and the build manifest into chalicelib/generated/ (bundle.py), writes
the merge template from iac.py (the table from chalicelib/tables.py, the IAM policy, the
throttling, the CORS GatewayResponses) and runs ``chalice package --merge-template``.
Deploy the result with ``sam deploy`` or ``aws cloudformation package/deploy``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bundle  # noqa: E402
import iac  # noqa: E402
from chalicelib import config  # noqa: E402


def chalice_executable() -> str:
    beside = Path(sys.executable).with_name("chalice")
    return str(beside) if beside.exists() else "chalice"


def package(out: Path, stage: str = "prod", origin: str | None = None,
            hub: Path = bundle.REPO / "hub.toml",
            manifest: Path = bundle.REPO / "build" / "manifest.json",
            project: Path = HERE) -> Path:
    """Write OUT/sam.json and OUT/deployment.zip; returns the template's path.

    ``project``: the Chalice project to package (a copy of serverless/ in tests).
    """
    bundle.bundle(hub, manifest, project / "chalicelib" / "generated")
    if origin is None:
        origin = config.load_hub(hub).site_origin(stage)
        if not origin:
            raise SystemExit(f"no site origin for stage {stage!r} in {hub}")
    with tempfile.TemporaryDirectory() as tmp:
        merge = Path(tmp) / "merge-template.json"
        merge.write_text(json.dumps(iac.merge_template(origin), indent=2))
        env = {**os.environ}
        env.setdefault("AWS_DEFAULT_REGION", "eu-west-3")  # chalice insists; not used
        subprocess.run([chalice_executable(), "--project-dir", str(project), "package",
                        "--stage", stage, "--merge-template", str(merge), str(out)],
                       check=True, env=env, cwd=project)
    return out / "sam.json"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--origin", help="CORS origin (default: hub.toml's for the stage)")
    parser.add_argument("--manifest", type=Path, default=bundle.REPO / "build" / "manifest.json")
    args = parser.parse_args(argv)
    template = package(args.out, args.stage, args.origin, manifest=args.manifest)
    print(f"wrote {template} and {template.parent / 'deployment.zip'}")


if __name__ == "__main__":
    main()
