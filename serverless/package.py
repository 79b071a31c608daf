"""Package the API for AWS without deploying: SAM template + deployment.zip in OUT.

    .venv/bin/python serverless/package.py --stage prod build/aws

Bundles hub.toml and the build manifest into chalicelib/generated/ (bundle.py), writes
the merge template from iac.py (the table from chalicelib/tables.py, the key, the secret,
the IAM policy, the throttling, the logs, the CORS GatewayResponses) and runs ``chalice
package --merge-template``. Deploy the result with ``sam deploy`` or ``aws cloudformation
package/deploy``.

Offline: the package's dependencies come only from the wheelhouse that scripts/setup.sh
fills from ``lambda-wheels.lock`` (hashed Linux x86_64 CPython 3.11 wheels). Chalice's
packager runs ``pip download`` in a subprocess that inherits the environment, so
:func:`offline_pip_env` gives it no index, that folder as its only source, and the Lambda
platform (so a macOS or ARM laptop picks the same wheels); nothing reaches a network.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bundle  # noqa: E402
import iac  # noqa: E402
from chalicelib import config  # noqa: E402

WHEEL_LOCK = HERE / "lambda-wheels.lock"
WHEELHOUSE = bundle.REPO / ".cache" / "lambda-wheels"
# The Lambda runtime of .chalice/config.json (python3.11, x86_64).
LAMBDA_PLATFORM = {"PIP_PLATFORM": "manylinux2014_x86_64", "PIP_IMPLEMENTATION": "cp",
                   "PIP_PYTHON_VERSION": "3.11", "PIP_ABI": "cp311"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_wheels(lock: Path = WHEEL_LOCK) -> dict[str, tuple[str, set[str]]]:
    """``{name: (version, {sha256, ...})}`` from the hashed lock file."""
    text = re.sub(r"\\\n", " ", lock.read_text())
    locked = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split()[0].split("==")
            locked[_normal(name)] = (version, set(re.findall(r"--hash=sha256:(\w+)", line)))
    return locked


def check_wheelhouse(wheelhouse: Path = WHEELHOUSE, lock: Path = WHEEL_LOCK) -> list[Path]:
    """The locked wheels in ``wheelhouse``, each checked against its hash; else exit."""
    found = []
    for name, (version, hashes) in locked_wheels(lock).items():
        wheels = [w for w in wheelhouse.glob("*.whl")
                  if [_normal(w.name.split("-")[0]), w.name.split("-")[1]] == [name, version]]
        good = [w for w in wheels if hashlib.sha256(w.read_bytes()).hexdigest() in hashes]
        if not good:
            raise SystemExit(f"{wheelhouse} has no wheel of {name}=={version} with the hash of "
                             f"{lock.name}: run scripts/setup.sh")
        found.append(good[0])
    return found


def offline_pip_env(wheelhouse: Path = WHEELHOUSE) -> dict[str, str]:
    """What chalice's ``pip download`` runs need to use ``wheelhouse`` and nothing else."""
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse),
            "PIP_CONFIG_FILE": os.devnull,  # no index or find-links from a pip.conf
            "PIP_ONLY_BINARY": ":all:", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            **LAMBDA_PLATFORM}


def chalice_executable() -> str:
    beside = Path(sys.executable).with_name("chalice")
    return str(beside) if beside.exists() else "chalice"


def package(out: Path, stage: str = "prod", origin: str | None = None,
            hub: Path = bundle.REPO / "hub.toml",
            manifest: Path = bundle.REPO / "build" / "manifest.json",
            project: Path = HERE, wheelhouse: Path = WHEELHOUSE) -> Path:
    """Write OUT/sam.json and OUT/deployment.zip; returns the template's path.

    ``project``: the Chalice project to package (a copy of serverless/ in tests).
    ``wheelhouse``: the locked wheels (checked first), the only source of dependencies.
    """
    out = out.resolve()  # chalice runs in the project: a relative OUT would land there
    verified = check_wheelhouse(wheelhouse, project / WHEEL_LOCK.name)
    bundle.bundle(hub, manifest, project / "chalicelib" / "generated")
    if origin is None:
        origin = config.load_hub(hub).site_origin(stage)
        if not origin:
            raise SystemExit(f"no site origin for stage {stage!r} in {hub}")
    with tempfile.TemporaryDirectory() as tmp:
        merge = Path(tmp) / "merge-template.json"
        merge.write_text(json.dumps(iac.merge_template(origin), indent=2))
        # pip sees only the wheels whose hashes were just checked, nothing else that may
        # lie in the wheelhouse.
        checked = Path(tmp) / "wheels"
        checked.mkdir()
        for wheel in verified:
            shutil.copyfile(wheel, checked / wheel.name)
        env = {**os.environ, **offline_pip_env(checked)}
        # chalice builds a botocore client for the region's service principals: it needs a
        # region (not otherwise used) and, without credentials, would ask the EC2 metadata
        # endpoint for some. Packaging needs neither an account nor a network.
        env.setdefault("AWS_DEFAULT_REGION", "eu-west-3")
        env["AWS_EC2_METADATA_DISABLED"] = "true"
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
    parser.add_argument("--hub", type=Path, default=bundle.REPO / "hub.toml")
    parser.add_argument("--project", type=Path, default=HERE,
                        help="the Chalice project (default: serverless/; tests use a copy)")
    parser.add_argument("--wheelhouse", type=Path, default=WHEELHOUSE,
                        help="the locked Lambda wheels (default: .cache/lambda-wheels)")
    args = parser.parse_args(argv)
    template = package(args.out, args.stage, args.origin, hub=args.hub, manifest=args.manifest,
                       project=args.project.resolve(), wheelhouse=args.wheelhouse.resolve())
    print(f"wrote {template} and {template.parent / 'deployment.zip'}")


if __name__ == "__main__":
    main()
