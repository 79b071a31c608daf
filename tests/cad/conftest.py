"""Fixtures for the CAD engine tests: a private copy of the fixture designs per test,
so tests may edit model sources without touching the repository."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "designs"


@pytest.fixture
def designs_root(tmp_path: Path) -> Path:
    """tmp/designs holding test-box (4 variants) and test-peg (2 variants)."""
    root = tmp_path / "designs"
    shutil.copytree(FIXTURES, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "build"


@pytest.fixture
def edit(designs_root: Path) -> Callable[[str, str, str], Path]:
    """edit(relative_path, old, new): replace text in a file of the copied designs."""
    def _edit(rel: str, old: str, new: str) -> Path:
        path = designs_root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path
    return _edit
