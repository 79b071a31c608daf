"""Fixtures of the site tests: a small fake hub (one design, two variants, real files) and
builds of the site from it and from the real designs."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

import build_site
import sitegen as sc

REPO = Path(__file__).resolve().parents[2]

from fakehub import make_fake_hub  # noqa: E402


@pytest.fixture(scope="session")
def fake_hub(tmp_path_factory) -> dict[str, str]:
    return make_fake_hub(tmp_path_factory.mktemp("fake-hub"))


@pytest.fixture
def fake_design(fake_hub) -> sc.Design:
    """The fake design, loaded afresh for each test (tests may change it)."""
    manifest = sc.load_manifest(Path(fake_hub["USINE_MANIFEST"]))
    return sc.load_design(Path(fake_hub["USINE_DESIGNS_DIR"]), "demo-clip", manifest,
                          ["fr", "en", "ar"])


def _build_with_env(env: dict[str, str], site_dir: Path) -> dict:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return build_site.build(site_dir)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def readable_dir():
    """Folders every user can read: linkchecker, run as root, drops to user nobody and
    then cannot read pytest's private temporary folders."""
    made = []

    def make(prefix: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=f"usine-{prefix}-"))
        path.chmod(0o755)
        made.append(path)
        return path

    yield make
    for path in made:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def fake_site(fake_hub, readable_dir) -> Path:
    """Every language built (strict) from the fake hub."""
    site = readable_dir("fake-site")
    _build_with_env({**fake_hub, "USINE_STAGE": "local"}, site)
    return site




@pytest.fixture(scope="session")
def real_site(real_manifest, readable_dir) -> Path:
    """Every language built (strict) from the repository's designs and build/."""
    site = readable_dir("real-site")
    _build_with_env({"USINE_STAGE": "local", "USINE_MANIFEST": str(real_manifest)}, site)
    return site
