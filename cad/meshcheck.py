"""Checks on the exported STL, the file a slicer actually receives.

The B-rep can be valid while its mesh is not (a tessellation crack, two solids that only
touch), and a slicer fails or prints garbage on such a mesh. Each check returns
`{"ok": bool, "detail": str, ...numbers}`, the manifest's check format. Note that
trimesh calls two disjoint closed boxes "watertight", so the number of bodies is counted
separately (connected components over shared edges).
"""

from __future__ import annotations

import math
import os
from typing import Any, Callable

import numpy as np
import trimesh

Check = dict[str, Any]


def load_mesh(path: str | os.PathLike) -> trimesh.Trimesh:
    """Load an STL as one mesh with coincident vertices merged (STL stores none shared)."""
    mesh = trimesh.load(str(path), file_type="stl", force="mesh", process=True)
    if not isinstance(mesh, trimesh.Trimesh):  # pragma: no cover - force="mesh" guarantees it
        raise TypeError(f"{path} did not load as a triangle mesh")
    return mesh


def check_watertight(mesh: trimesh.Trimesh) -> Check:
    """Every edge shared by exactly two triangles: the mesh encloses a volume."""
    if len(mesh.faces) == 0:
        return {"ok": False, "detail": "empty mesh", "bad_edges": 0}
    _, counts = np.unique(mesh.edges_sorted, axis=0, return_counts=True)
    bad = int(np.count_nonzero(counts != 2))
    ok = bool(mesh.is_watertight) and bad == 0
    detail = "closed: every edge joins two triangles" if ok else \
        f"not closed: {bad} edges are not shared by exactly two triangles"
    return {"ok": ok, "detail": detail, "bad_edges": int(bad)}


def check_one_body(mesh: trimesh.Trimesh) -> Check:
    """Exactly one connected body: a part printed as one piece."""
    bodies = len(mesh.split(only_watertight=False)) if len(mesh.faces) else 0
    ok = bodies == 1
    detail = "one body" if ok else f"{bodies} separate bodies (expected 1)"
    return {"ok": ok, "detail": detail, "bodies": int(bodies)}


def check_winding(mesh: trimesh.Trimesh) -> Check:
    """Neighbouring triangles wound the same way, so inside and outside are defined."""
    ok = bool(len(mesh.faces)) and bool(mesh.is_winding_consistent)
    detail = "consistent triangle winding" if ok else \
        "inconsistent winding: some triangles are flipped against their neighbours"
    return {"ok": ok, "detail": detail}


def check_positive_volume(mesh: trimesh.Trimesh) -> Check:
    """A closed mesh with positive volume: normals point outwards (negative volume means
    the whole mesh is inside out). An open mesh has no volume to speak of."""
    if not len(mesh.faces) or not mesh.is_watertight:
        return {"ok": False, "detail": "no volume: the mesh is not closed", "volume_mm3": None}
    volume = float(mesh.volume)
    ok = math.isfinite(volume) and volume > 0
    detail = f"volume {volume:.3f} mm3" if ok else \
        f"volume {volume:.3f} mm3 is not positive: the mesh is inside out"
    return {"ok": ok, "detail": detail, "volume_mm3": round(volume, 6)}


CHECKS: dict[str, Callable[[trimesh.Trimesh], Check]] = {
    "watertight": check_watertight,
    "one_body": check_one_body,
    "winding": check_winding,
    "positive_volume": check_positive_volume,
}


def check_mesh(mesh_or_path: trimesh.Trimesh | str | os.PathLike) -> dict[str, Check]:
    """Run every check of CHECKS; accepts a mesh or an STL path."""
    mesh = mesh_or_path if isinstance(mesh_or_path, trimesh.Trimesh) else load_mesh(mesh_or_path)
    return {name: check(mesh) for name, check in CHECKS.items()}
