"""The cache key changes exactly when an input that matters changes."""

from __future__ import annotations

import shutil
from pathlib import Path

from cad import cache
from cad.cache import cache_key, stale_reason

CAD_SRC = Path(cache.__file__).resolve().parent
PARAMS = {"length": 10.0, "hole": 4.0}


def copy_cad(tmp_path: Path) -> Path:
    target = tmp_path / "cad"
    shutil.copytree(CAD_SRC, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_key_is_stable_and_ignores_dict_order(designs_root):
    box = designs_root / "test-box"
    key = cache_key(box, PARAMS)
    assert len(key) == 64 and key == cache_key(box, {"hole": 4.0, "length": 10.0})


def test_key_follows_parameters(designs_root):
    box = designs_root / "test-box"
    assert cache_key(box, PARAMS) != cache_key(box, {**PARAMS, "hole": 0.0})


def test_key_follows_design_sources(designs_root, edit):
    box = designs_root / "test-box"
    before = cache_key(box, PARAMS)
    edit("test-box/model.py", "Volume =", "Volume (edited) =")
    edited = cache_key(box, PARAMS)
    assert edited != before
    (box / "helpers.py").write_text("X = 1\n")  # any other .py of the design counts
    assert cache_key(box, PARAMS) != edited


def test_key_ignores_design_texts(designs_root, edit):
    box = designs_root / "test-box"
    before = cache_key(box, PARAMS)
    edit("test-box/design.toml", 'en = "Test plate"', 'en = "Renamed plate"')
    assert cache_key(box, PARAMS) == before


def test_key_follows_cad_sources(designs_root, tmp_path):
    box = designs_root / "test-box"
    cad_copy = copy_cad(tmp_path)
    assert cache_key(box, PARAMS, cad_dir=cad_copy) == cache_key(box, PARAMS)
    export_py = cad_copy / "export.py"
    export_py.write_text(export_py.read_text().replace("STL_TOLERANCE_MM = 0.01",
                                                       "STL_TOLERANCE_MM = 0.02"))
    changed = cache_key(box, PARAMS, cad_dir=cad_copy)
    assert changed != cache_key(box, PARAMS)
    (cad_copy / "newmodule.py").write_text("")
    assert cache_key(box, PARAMS, cad_dir=cad_copy) != changed


def test_key_follows_engine_schema(designs_root):
    box = designs_root / "test-box"
    assert cache_key(box, PARAMS, schema=cache.ENGINE_SCHEMA + 1) != cache_key(box, PARAMS)


def test_stale_reason(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "v.stl").write_bytes(b"solid")
    from cad.fsutil import sha256_file
    rec = {"cache_key": "k", "files": {"stl": {"path": "d/v.stl", "bytes": 5,
                                                "sha256": sha256_file(tmp_path / "d/v.stl")}}}
    assert stale_reason(rec, "k", tmp_path) is None
    assert stale_reason(None, "k", tmp_path) == "never built"
    assert stale_reason(rec, "other", tmp_path) == "inputs changed"
    (tmp_path / "d" / "v.stl").write_bytes(b"solie")  # same size, other bytes
    assert stale_reason(rec, "k", tmp_path) == "stl file changed"
    (tmp_path / "d" / "v.stl").unlink()
    assert stale_reason(rec, "k", tmp_path) == "stl file missing"


def test_key_follows_the_locked_library_versions(designs_root, tmp_path):
    """Upgrading CadQuery or OCP in requirements.lock rebuilds; other pins do not."""
    box = designs_root / "test-box"
    lock = tmp_path / "requirements.lock"
    text = cache.LOCK_FILE.read_text(encoding="utf-8")
    assert cache.locked_versions()["cadquery"] != "unlocked"
    lock.write_text(text, encoding="utf-8")
    same = cache_key(box, PARAMS, lock=lock)
    assert same == cache_key(box, PARAMS)
    cq_line = next(line for line in text.splitlines() if line.startswith("cadquery=="))
    ocp_line = next(line for line in text.splitlines() if line.startswith("cadquery-ocp=="))
    lock.write_text(text.replace(cq_line, "cadquery==9.9.9"), encoding="utf-8")
    assert cache.locked_versions(lock)["cadquery"] == "9.9.9"
    assert cache_key(box, PARAMS, lock=lock) != same
    lock.write_text(text.replace(ocp_line, "cadquery-ocp==7.9.9.9"), encoding="utf-8")
    assert cache_key(box, PARAMS, lock=lock) != same
    lock.write_text(text + "\nsome-other-tool==1.0\n", encoding="utf-8")
    assert cache_key(box, PARAMS, lock=lock) == same
    assert set(cache.locked_versions(tmp_path / "none.lock").values()) == {"unlocked"}


def test_key_follows_the_facts_of_design_toml(designs_root):
    """A table the checks read (e.g. [stock]) rebuilds; texts do not (see above)."""
    box = designs_root / "test-box"
    before = cache_key(box, PARAMS)
    toml = box / "design.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[stock]\nsheets_mm = [[600, 400]]\n",
                    encoding="utf-8")
    assert cache_key(box, PARAMS) != before
