"""cad.slicer: PrusaSlicer's figures parsed, cached, and never invented."""

from __future__ import annotations

import json
import shutil

import cadquery as cq
import pytest

from cad import slicer
from cad.export import export_stl

HAS_SLICER = shutil.which("prusa-slicer") is not None

GCODE_TAIL = """; some other comment
; filament used [mm] = 2040.81
; filament used [cm3] = 4.91
; filament used [g] = 6.24
; estimated printing time (normal mode) = 1h 2m 3s
; estimated printing time (silent mode) = 1h 5m 0s
"""


def test_parse_gcode_comments():
    assert slicer.parse_gcode(GCODE_TAIL) == {
        "time_s": 3723, "filament_cm3": 4.91, "filament_g": 6.24, "filament_mm": 2040.81}


@pytest.mark.parametrize("text, seconds", [("45s", 45), ("24m 27s", 1467),
                                           ("1d 2h 0m 1s", 93601)])
def test_parse_duration(text, seconds):
    assert slicer.parse_duration(text) == seconds


def test_parse_refuses_gcode_without_figures():
    with pytest.raises(ValueError):
        slicer.parse_gcode("G1 X0 Y0\n")
    with pytest.raises(ValueError):
        slicer.parse_duration("soon")


def test_bed_centre_from_profile():
    assert slicer.bed_centre(slicer.reference_profile()) == (125.0, 105.0)


def test_bundled_profile_is_the_shared_one():
    if slicer.SHARED_PROFILE.is_file():
        assert slicer.BUNDLED_PROFILE.read_bytes() == slicer.SHARED_PROFILE.read_bytes()
    assert "layer_height = 0.3" in slicer.BUNDLED_PROFILE.read_text()


def test_missing_slicer_is_reported_not_invented(monkeypatch, tmp_path):
    monkeypatch.setattr(slicer, "slicer_path", lambda: None)
    stl = tmp_path / "x.stl"
    stl.write_bytes(b"solid x\nendsolid x\n")
    assert slicer.slice_stl(stl) == {"available": False,
                                     "reason": "prusa-slicer is not installed"}


def _box(tmp_path, size=20.0):
    return export_stl(cq.Workplane().box(size, size, 5).translate((0, 0, 2.5)).val(),
                      tmp_path / f"box{size:g}.stl")


@pytest.mark.skipif(not HAS_SLICER, reason="prusa-slicer is not installed")
def test_real_slice_and_cache(tmp_path):
    stl = _box(tmp_path)
    cache = tmp_path / "cache"
    first = slicer.slice_stl(stl, cache_dir=cache, units=2)
    assert first["available"] is True and first["cached"] is False
    assert first["time_s"] > 0 and 0 < first["filament_cm3"] < 2.0  # 2 cm3 of solid box
    assert first["filament_g"] == pytest.approx(first["filament_cm3"] * 1.27, abs=0.02)
    assert first["units"] == 2 and first["time_per_unit_s"] == pytest.approx(first["time_s"] / 2)
    assert first["slicer"].startswith("PrusaSlicer 2.") and first["profile"] == "reference-fdm.ini"
    files = list(cache.glob("*.json"))
    assert len(files) == 1 and files[0].stem == slicer.cache_key(
        stl, slicer.reference_profile(), slicer.slicer_version())
    # a cached result is read back, not sliced again (the cache file is the source)
    data = json.loads(files[0].read_text())
    data["time_s"] = 12345
    files[0].write_text(json.dumps(data))
    again = slicer.slice_stl(stl, cache_dir=cache, units=2)
    assert again["cached"] is True and again["time_s"] == 12345


@pytest.mark.skipif(not HAS_SLICER, reason="prusa-slicer is not installed")
def test_part_larger_than_the_bed_is_unavailable(tmp_path):
    stl = _box(tmp_path, 300.0)
    result = slicer.slice_stl(stl)
    assert result["available"] is False and "does not fit" in result["reason"]


def test_cache_key_follows_the_material_profile(tmp_path, monkeypatch):
    """The material is sliced with the profile: another material re-slices."""
    stl = tmp_path / "part.stl"
    stl.write_bytes(b"solid x\nendsolid x\n")
    profile = slicer.reference_profile()
    before = slicer.cache_key(stl, profile, "PrusaSlicer 2.5.0")
    other = tmp_path / "material.ini"
    other.write_text("filament_type = PLA\n", encoding="utf-8")
    monkeypatch.setattr(slicer, "MATERIAL_PROFILE", other)
    assert slicer.cache_key(stl, profile, "PrusaSlicer 2.5.0") != before
