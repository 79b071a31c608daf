"""Measure an exported mesh by slicing it: section contours, where a contour changes, and
which hollow spaces inside a part are connected.

A slicer and a printer receive the STL, so the checks that say "this socket has that
size" or "these two channels never meet" are made on the STL, not on the B-rep:

- `rings(mesh, z)`: every closed loop of the section by the plane z, as a shapely
  polygon (the area the loop encloses, holes not subtracted);
- `contour_around(mesh, z, point)`: the smallest loop around a point (a socket's or a
  channel's inner contour), with `extent` giving its size along X and Y;
- `transition(predicate, lo, hi)`: the height where a property of the sections changes
  (a socket's depth, a recess's depth), found by bisection to `tol`;
- `plane_points(mesh, origin, normal, u_axis)`: the section by any plane, as 2D points
  (a peg's cross-section, cut square to its axis);
- `fit_circle(points)`: a least-squares circle refitted on the points near it, so a flat
  or a post standing on the circle is left out;
- `turning(ring)`: the signed turn at each vertex of a closed outline (a sharp concave
  corner is where something stands out of a wall);
- `AirGraph`: the air inside the part's bounding box, sliced every `pitch` mm; each
  slice's air is split into regions, regions of neighbouring slices that overlap are
  joined, and the connected components answer "is there a path from here to there inside
  the part?". Air touching the bounding box's border is the outside: it is left out, so
  two ports that each open to the outside are not called connected through the room.

Resolution: a passage narrower than about `pitch` in Z, or that only exists between two
slices, can be missed; `pitch` defaults to 0.2 mm, the layer height the part is printed
with, which is also the finest thing a print can reproduce.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import shapely
import trimesh
from shapely.geometry import LineString, Point, Polygon, box

from cad.graph import component_labels
from cad.meshcheck import load_mesh

_DIGITS = 6  # segment ends equal to 1e-6 mm are the same point
_MIN_OVERLAP_MM2 = 1e-4  # air regions of two slices overlapping less than this are apart


def as_mesh(mesh_or_path: trimesh.Trimesh | str | os.PathLike) -> trimesh.Trimesh:
    return mesh_or_path if isinstance(mesh_or_path, trimesh.Trimesh) else load_mesh(mesh_or_path)


def rings(mesh_or_path, z: float) -> list[Polygon]:
    """Every closed loop where the plane z cuts the mesh, as a polygon (its enclosed
    area, holes not subtracted), largest first."""
    mesh = as_mesh(mesh_or_path)
    segs = trimesh.intersections.mesh_plane(mesh, plane_normal=[0.0, 0.0, 1.0],
                                            plane_origin=[0.0, 0.0, float(z)])
    segs = np.round(np.asarray(segs, dtype=float).reshape(-1, 2, 3)[:, :, :2], _DIGITS)
    segs = segs[np.any(segs[:, 0] != segs[:, 1], axis=1)]
    if not len(segs):
        return []
    faces = shapely.polygonize([LineString(s) for s in segs]).geoms
    out = [Polygon(f.exterior) for f in faces]
    # polygonize gives the faces between the loops; each loop is one face's exterior
    unique: dict[bytes, Polygon] = {}
    for p in out:
        unique.setdefault(shapely.normalize(p).wkb, p)
    return sorted(unique.values(), key=lambda p: -p.area)


def material(loops: Iterable[Polygon]) -> shapely.Geometry:
    """The solid part of a section: loops combined even-odd (a loop inside a loop is a
    hole, a loop inside that hole is material again)."""
    geom = Polygon()
    for loop in loops:
        geom = geom.symmetric_difference(loop)
    return geom


def contour_around(mesh_or_path, z: float, point: tuple[float, float]) -> Polygon | None:
    """The smallest loop of the section at z that encloses `point` (None if none does)."""
    p = Point(point)
    around = [r for r in rings(mesh_or_path, z) if r.contains(p)]
    return min(around, key=lambda r: r.area) if around else None


def extent(polygon: Polygon) -> tuple[float, float]:
    """Size of a polygon along X and along Y (mm)."""
    x0, y0, x1, y1 = polygon.bounds
    return float(x1 - x0), float(y1 - y0)


def transition(predicate: Callable[[float], bool], lo: float, hi: float,
               tol: float = 0.01) -> float:
    """The height between lo and hi where predicate(z) turns from True (at lo) to False
    (at hi), to `tol`. ValueError if it does not hold at lo or still holds at hi."""
    if not predicate(lo):
        raise ValueError(f"no transition: the property does not hold at z = {lo:g}")
    if predicate(hi):
        raise ValueError(f"no transition: the property still holds at z = {hi:g}")
    while hi - lo > tol:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if predicate(mid) else (lo, mid)
    return (lo + hi) / 2


def top_near(mesh_or_path, xy: tuple[float, float], radius: float) -> float:
    """Highest Z of the mesh's vertices within `radius` of the vertical line through xy
    (the end of a connector standing on that axis)."""
    mesh = as_mesh(mesh_or_path)
    v = mesh.vertices
    near = np.hypot(v[:, 0] - xy[0], v[:, 1] - xy[1]) <= radius
    if not near.any():
        raise ValueError(f"no vertex within {radius:g} mm of {xy}")
    return float(v[near, 2].max())


@dataclass(frozen=True)
class AirRegion:
    layer: int
    z: float
    polygon: Polygon


class AirGraph:
    """The air inside a part between z_from and z_to, sliced every `pitch` mm, its
    regions joined across slices where they overlap (see the module docstring)."""

    def __init__(self, mesh_or_path, z_from: float, z_to: float, pitch: float = 0.2,
                 margin: float = 1.0):
        mesh = as_mesh(mesh_or_path)
        (x0, y0, _), (x1, y1, _) = mesh.bounds
        frame = box(x0 - margin, y0 - margin, x1 + margin, y1 + margin)
        n = max(2, int(np.ceil((z_to - z_from) / pitch)) + 1)
        self.zs = np.linspace(z_from, z_to, n)
        self.regions: list[AirRegion] = []
        by_layer: list[list[int]] = []
        for k, z in enumerate(self.zs):
            air = frame.difference(material(rings(mesh, float(z))))
            ids = []
            for poly in getattr(air, "geoms", [air]):
                if poly.is_empty or poly.area <= _MIN_OVERLAP_MM2:
                    continue
                if poly.exterior.intersects(frame.exterior):
                    continue  # the outside
                ids.append(len(self.regions))
                self.regions.append(AirRegion(k, float(z), poly))
            by_layer.append(ids)
        rows, cols = [], []
        for k in range(len(by_layer) - 1):
            for a in by_layer[k]:
                pa = self.regions[a].polygon
                for b in by_layer[k + 1]:
                    pb = self.regions[b].polygon
                    if pa.intersects(pb) and pa.intersection(pb).area > _MIN_OVERLAP_MM2:
                        rows.append(a)
                        cols.append(b)
        self.count, self.labels = component_labels(len(self.regions), rows, cols)
        self._by_layer = by_layer

    def component_at(self, xy: tuple[float, float], z: float) -> int | None:
        """The component of the air region at (xy, z) (nearest slice), None if that point
        is in the material or outside the part."""
        k = int(np.argmin(np.abs(self.zs - z)))
        p = Point(xy)
        for idx in self._by_layer[k]:
            if self.regions[idx].polygon.contains(p):
                return int(self.labels[idx])
        return None

    def connected(self, a: tuple[tuple[float, float], float],
                  b: tuple[tuple[float, float], float]) -> bool:
        """True if the two (xy, z) points are in the same air component."""
        ca, cb = self.component_at(*a), self.component_at(*b)
        return ca is not None and ca == cb


# ------------------------------------------------------- sections by any plane, corners


def plane_points(mesh_or_path, origin, normal, u_axis) -> np.ndarray:
    """The section of the mesh by the plane through `origin` normal to `normal`, as 2D
    points (n, 2): each segment end expressed on `u_axis` (made perpendicular to the
    normal) and on v = normal x u. Points only (no loops): enough to fit a shape to."""
    mesh = as_mesh(mesh_or_path)
    n = np.asarray(normal, dtype=float)
    n = n / np.linalg.norm(n)
    u = np.asarray(u_axis, dtype=float)
    u = u - n * float(u @ n)
    u = u / np.linalg.norm(u)
    v = np.cross(n, u)
    o = np.asarray(origin, dtype=float)
    segs = trimesh.intersections.mesh_plane(mesh, plane_normal=n, plane_origin=o)
    pts = np.asarray(segs, dtype=float).reshape(-1, 3) - o
    if not len(pts):
        return np.zeros((0, 2))
    pts = np.unique(np.round(np.column_stack([pts @ u, pts @ v]), _DIGITS), axis=0)
    return pts


def fit_circle(points, trim: float = 0.02, rounds: int = 6):
    """Least-squares circle through 2D points (Kasa's algebraic fit), refitted on the
    points within `trim` mm of the previous circle until the set stops changing, so
    points of something else (a flat, a post standing on it) are left out.

    Returns (cx, cy, r, inliers): r is the least-squares radius; `inliers` the boolean
    mask of the points used in the last fit. ValueError with fewer than 3 points."""
    pts = np.asarray(points, dtype=float)
    keep = np.ones(len(pts), dtype=bool)
    cx = cy = r = float("nan")
    for _ in range(rounds):
        if keep.sum() < 3:
            raise ValueError(f"a circle needs 3 points, {int(keep.sum())} left")
        x, y = pts[keep, 0], pts[keep, 1]
        a = np.column_stack([x, y, np.ones_like(x)])
        (c0, c1, c2), *_ = np.linalg.lstsq(a, x * x + y * y, rcond=None)
        cx, cy = c0 / 2, c1 / 2
        r = math.sqrt(max(c2 + cx * cx + cy * cy, 0.0))
        new = np.abs(np.hypot(pts[:, 0] - cx, pts[:, 1] - cy) - r) <= trim
        if np.array_equal(new, keep):
            break
        keep = new
    return float(cx), float(cy), float(r), keep


def turning(coords) -> np.ndarray:
    """Signed turning angle (radians, left positive) at each vertex of a closed ring
    given as its vertices (the closing vertex not repeated). A zero-length edge gives a
    turn of 0 and hides the corner next to it: simplify the ring first (a mesh's section
    has sub-micrometre edges at some triangle edges)."""
    c = np.asarray(coords, dtype=float)
    d_in = c - np.roll(c, 1, axis=0)
    d_out = np.roll(c, -1, axis=0) - c
    cross = d_in[:, 0] * d_out[:, 1] - d_in[:, 1] * d_out[:, 0]
    dot = (d_in * d_out).sum(axis=1)
    return np.arctan2(cross, dot)
