"""Build a copy of a design whose files were edited to break a check: `python -m cad
build` must exit 1 and report the variant failed (each design's "a failing check fails the
build" test)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any


def build_edited_copy(tmp_path: Path, design: Path,
                      edits: dict[str, list[tuple[str, str]]]) -> tuple[int, dict[str, Any]]:
    """Copy ``design`` under ``tmp_path``, replace in each named file each ``old`` (found
    exactly once) by ``new``, build it: ``(exit status, the first variant's record)``."""
    from cad import cli
    from cad.build import read_manifest

    root = tmp_path / "designs"
    shutil.copytree(design, root / design.name, ignore=shutil.ignore_patterns("__pycache__"))
    for name, replacements in edits.items():
        path = root / design.name / name
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert text.count(old) == 1, (name, old)
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "build"
    code = cli.main(["build", "--root", str(root), "--out", str(out), "--jobs", "1",
                     "--quiet"])
    return code, read_manifest(out)["variants"][0]
