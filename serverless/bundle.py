"""Copy the files the API reads into chalicelib/generated/ before `chalice package|deploy`.

In a Lambda package the repository is gone: the app then reads
chalicelib/generated/hub.toml and chalicelib/generated/manifest.json (git-ignored).
Run from the repository root after `python -m cad build`:

    .venv/bin/python serverless/bundle.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GENERATED = HERE / "chalicelib" / "generated"


def bundle(hub: Path = REPO / "hub.toml", manifest: Path = REPO / "build" / "manifest.json",
           dest: Path = GENERATED) -> list[Path]:
    """Copy hub.toml and the manifest into ``dest``; returns the written paths."""
    for source in (hub, manifest):
        if not source.is_file():
            raise FileNotFoundError(f"{source} is missing (build the designs first?)")
    dest.mkdir(parents=True, exist_ok=True)
    written = [dest / "hub.toml", dest / "manifest.json"]
    shutil.copyfile(hub, written[0])
    shutil.copyfile(manifest, written[1])
    return written


if __name__ == "__main__":
    try:
        for path in bundle():
            print(f"bundled {path.relative_to(REPO)}")
    except FileNotFoundError as err:
        sys.exit(f"bundle: {err}")
