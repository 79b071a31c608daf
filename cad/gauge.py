"""Measure an exported mesh like a gauge: the diameters of its sections at a height.

A slicer and a printer receive the STL, not the B-rep, so the connectors are checked on
the STL: cut the mesh with the horizontal plane z = height, join the cut segments into
closed loops, and fit a circle to each loop (least squares, Kåsa's algebraic fit, exact
for points on a circle). A cone's section is a polygon whose vertices lie on the true
circle and whose sides are chords at most the tessellation's deflection inside it, so
the fitted diameter is within two deflections of the true one (0.02 mm for the STL
exporter's 0.01 mm).

Only numpy, trimesh's plane intersection and SciPy's connected components (cad.graph)
are used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import trimesh

from cad.graph import components
from cad.meshcheck import load_mesh

_KEY_DIGITS = 6  # segment ends are joined when equal to 1e-6 mm


@dataclass(frozen=True)
class Loop:
    """One closed section loop with the circle fitted to it (mm)."""

    centre: tuple[float, float]
    diameter: float
    rms_mm: float  #: root mean square distance of the loop's points to the circle
    points: int
    extent: tuple[float, float]  #: the loop's width along X and Y


def _mesh(mesh_or_path: trimesh.Trimesh | str | os.PathLike) -> trimesh.Trimesh:
    return mesh_or_path if isinstance(mesh_or_path, trimesh.Trimesh) else load_mesh(mesh_or_path)


def section_segments(mesh: trimesh.Trimesh, height: float) -> np.ndarray:
    """(n, 2, 2) XY segments where the plane z = height cuts the mesh."""
    segs = trimesh.intersections.mesh_plane(mesh, plane_normal=[0.0, 0.0, 1.0],
                                            plane_origin=[0.0, 0.0, float(height)])
    return np.asarray(segs, dtype=float).reshape(-1, 2, 3)[:, :, :2]


def _loops(segments: np.ndarray) -> list[np.ndarray]:
    """Group segments into connected components over shared end points (cad.graph);
    returns the points of each component."""
    def key(p):
        return (round(float(p[0]), _KEY_DIGITS), round(float(p[1]), _KEY_DIGITS))
    labels = components((key(seg[0]), key(seg[1])) for seg in segments)
    groups: dict[int, list[tuple[float, float]]] = {}
    for point, label in labels.items():
        groups.setdefault(label, []).append(point)
    return [np.array(g, dtype=float) for g in groups.values() if len(g) >= 3]


def fit_circle(points: np.ndarray) -> tuple[tuple[float, float], float, float]:
    """Least-squares circle (Kåsa): (centre, diameter, rms distance to the circle)."""
    x, y = points[:, 0], points[:, 1]
    a = np.column_stack([x, y, np.ones_like(x)])
    b = x * x + y * y
    (c0, c1, c2), *_ = np.linalg.lstsq(a, b, rcond=None)
    cx, cy = c0 / 2, c1 / 2
    r = float(np.sqrt(c2 + cx * cx + cy * cy))
    rms = float(np.sqrt(np.mean((np.hypot(x - cx, y - cy) - r) ** 2)))
    return (float(cx), float(cy)), 2 * r, rms


def section_loops(mesh_or_path: trimesh.Trimesh | str | os.PathLike, height: float
                  ) -> list[Loop]:
    """Every closed loop of the section at z = height, smallest diameter first."""
    mesh = _mesh(mesh_or_path)
    loops = []
    for pts in _loops(section_segments(mesh, height)):
        centre, diameter, rms = fit_circle(pts)
        ext = pts.max(axis=0) - pts.min(axis=0)
        loops.append(Loop(centre, diameter, rms, len(pts), (float(ext[0]), float(ext[1]))))
    return sorted(loops, key=lambda lp: lp.diameter)


def diameter_at(mesh_or_path: trimesh.Trimesh | str | os.PathLike, height: float,
                which: str = "outer", near: tuple[float, float] | None = None,
                max_rms: float = 0.05) -> float:
    """Diameter of one section loop at z = height: "outer" (largest loop) or "inner"
    (smallest). near: only loops centred within 1 mm of this XY point (the connector's
    axis). Raises ValueError if there is no such loop or it is not round (rms distance
    to its circle above max_rms)."""
    if which not in ("outer", "inner"):
        raise ValueError(f"which = {which!r} is not allowed: one of 'outer', 'inner'")
    loops = section_loops(mesh_or_path, height)
    if near is not None:
        loops = [lp for lp in loops
                 if np.hypot(lp.centre[0] - near[0], lp.centre[1] - near[1]) <= 1.0]
    if not loops:
        raise ValueError(f"height = {height!r}: the plane cuts no closed loop there")
    loop = loops[-1] if which == "outer" else loops[0]
    if loop.rms_mm > max_rms:
        raise ValueError(f"height = {height!r}: the {which} loop is not round "
                         f"(rms {loop.rms_mm:.3f} mm from its circle, allowed {max_rms} mm)")
    return loop.diameter
