"""Each mesh check passes on a closed box and fails on the mesh it exists to catch."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from cad.meshcheck import (check_mesh, check_one_body, check_positive_volume,
                           check_watertight, check_winding)


def box(offset=(0.0, 0.0, 0.0)) -> trimesh.Trimesh:
    mesh = trimesh.creation.box(extents=(10, 20, 30))
    mesh.apply_translation(offset)
    return mesh


def rebuilt(vertices, faces) -> trimesh.Trimesh:
    return trimesh.Trimesh(vertices=np.asarray(vertices), faces=np.asarray(faces), process=True)


def test_closed_box_passes_everything():
    checks = check_mesh(box())
    assert {name: c["ok"] for name, c in checks.items()} == {
        "watertight": True, "one_body": True, "winding": True, "positive_volume": True}
    assert checks["positive_volume"]["volume_mm3"] == pytest.approx(6000)
    assert all(isinstance(c["detail"], str) and c["detail"] for c in checks.values())


def test_box_with_a_face_removed_is_not_watertight():
    mesh = box()
    open_box = rebuilt(mesh.vertices, mesh.faces[1:])
    result = check_watertight(open_box)
    assert not result["ok"] and result["bad_edges"] == 3
    assert "not closed" in result["detail"]
    assert not check_positive_volume(open_box)["ok"]


def test_two_disjoint_boxes_are_two_bodies():
    two = trimesh.util.concatenate([box(), box((100, 0, 0))])
    assert two.is_watertight  # the trap: trimesh calls this watertight
    assert check_watertight(two)["ok"]
    result = check_one_body(two)
    assert not result["ok"] and result["bodies"] == 2
    assert "2 separate bodies" in result["detail"]


def test_a_flipped_triangle_breaks_winding():
    mesh = box()
    faces = mesh.faces.copy()
    faces[0] = faces[0][::-1]
    result = check_winding(rebuilt(mesh.vertices, faces))
    assert not result["ok"] and "inconsistent" in result["detail"]


def test_inside_out_mesh_has_negative_volume():
    mesh = box()
    inverted = rebuilt(mesh.vertices, mesh.faces[:, ::-1])
    assert check_winding(inverted)["ok"]  # consistently wrong is still consistent
    result = check_positive_volume(inverted)
    assert not result["ok"] and result["volume_mm3"] == pytest.approx(-6000)


def test_empty_mesh_fails_every_check():
    empty = trimesh.Trimesh()
    assert not any(c["ok"] for c in check_mesh(empty).values())


def test_check_mesh_reads_an_stl_file(tmp_path):
    path = tmp_path / "two.stl"
    trimesh.util.concatenate([box(), box((100, 0, 0))]).export(path)
    checks = check_mesh(path)
    assert checks["watertight"]["ok"] and not checks["one_body"]["ok"]
