"""Stiffness proxy of a band: second moments of area of a cross-section.

A headband is a curved beam; how much it bends under a load is inversely proportional
to E * I, with I the second moment of area of its cross-section about the bending axis.
For two bands of the same material, I compares their stiffness (this ignores the
band's curvature and length, which are close for headbands of one head size).

One method for every part, so figures compare: cut the part by the plane x = x0 (the
front centre line of a band lying in print orientation, front apex towards +Y), take
the section's closed loops as polygons in the (y, z) plane, and integrate with Green's
theorem (exact for polygons; loops inside others count as holes by their orientation):

* `i_bend_mm4` = integral of (y - yc)^2 dA: bending about the vertical axis (Z, vertical
  when worn too): the band opening and closing round the head, in the plane of the
  band. This is THE stiffness proxy (the plane in which a headband flexes when put on
  and in which a sheet's tension bends it).
* `i_sag_mm4` = integral of (z - zc)^2 dA: bending about the radial axis: the front
  sagging up and down under the sheet's weight.

`brep_section` cuts a CadQuery shape exactly (OCCT section, edges discretised to
0.001 mm); `mesh_section` cuts an STL with trimesh (for anchors, which are meshes).
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

DISCRETISE_MM = 0.001


def polygon_moments(loops: Sequence[np.ndarray]) -> dict[str, float]:
    """Area, centroid and centroidal second moments of polygons given as (n, 2) arrays
    of (u, v) points. Loops are oriented so that the outermost are counter-clockwise
    and each loop inside an odd number of others is a hole (clockwise)."""
    loops = [np.asarray(l, dtype=float) for l in loops if len(l) >= 3]
    if not loops:
        raise ValueError("no section: the plane does not cut the part")
    signed = []
    for i, pts in enumerate(loops):
        depth = sum(1 for j, other in enumerate(loops) if j != i and _inside(pts[0], other))
        area = _signed_area(pts)
        want = 1 if depth % 2 == 0 else -1
        signed.append(pts if np.sign(area) == want else pts[::-1])
    A = Su = Sv = Iuu = Ivv = Iuv = 0.0
    for pts in signed:
        u, v = pts[:, 0], pts[:, 1]
        u1, v1 = np.roll(u, -1), np.roll(v, -1)
        cross = u * v1 - u1 * v
        A += cross.sum() / 2
        Su += ((u + u1) * cross).sum() / 6
        Sv += ((v + v1) * cross).sum() / 6
        Iuu += ((u * u + u * u1 + u1 * u1) * cross).sum() / 12  # integral of u^2
        Ivv += ((v * v + v * v1 + v1 * v1) * cross).sum() / 12  # integral of v^2
        Iuv += ((u * v1 + 2 * u * v + 2 * u1 * v1 + u1 * v) * cross).sum() / 24
    uc, vc = Su / A, Sv / A
    return {"area_mm2": A, "centroid": (uc, vc),
            "i_u_mm4": Iuu - A * uc * uc,  # integral of (u - uc)^2
            "i_v_mm4": Ivv - A * vc * vc,  # integral of (v - vc)^2
            "i_uv_mm4": Iuv - A * uc * vc}


def _signed_area(pts: np.ndarray) -> float:
    u, v = pts[:, 0], pts[:, 1]
    return float((u * np.roll(v, -1) - np.roll(u, -1) * v).sum() / 2)


def _inside(point, poly: np.ndarray) -> bool:
    x, y = point
    u, v = poly[:, 0], poly[:, 1]
    u1, v1 = np.roll(u, -1), np.roll(v, -1)
    crosses = ((v > y) != (v1 > y)) & (x < (u1 - u) * (y - v) / np.where(v1 == v, 1e-300, v1 - v) + u)
    return bool(np.count_nonzero(crosses) % 2)


def bending_figure(loops_yz: Sequence[np.ndarray], where: str) -> dict[str, Any]:
    """The manifest's "stiffness" figure from section loops in the (y, z) plane."""
    m = polygon_moments(loops_yz)
    del where  # documented by the caller; kept out of the manifest (shown on pages)
    return {"second_moment_mm4": round(float(m["i_u_mm4"]), 2),
            "axis": "vertical: bending in the band's plane",
            "second_moment_sag_mm4": round(float(m["i_v_mm4"]), 2)}


def brep_section(shape, x0: float = 0.0, z_range: tuple[float, float] | None = None
                 ) -> list[np.ndarray]:
    """Loops (y, z) of the section of a CadQuery shape by the plane x = x0 (exact
    section; each loop's edges discretised within DISCRETISE_MM). z_range keeps only
    loops whose centroid height lies in it (one band of a stack)."""
    import cadquery as cq
    from OCP.BRepAlgoAPI import BRepAlgoAPI_Section
    from OCP.gp import gp_Dir, gp_Pln, gp_Pnt

    solid = shape.val() if isinstance(shape, cq.Workplane) else shape
    algo = BRepAlgoAPI_Section(solid.wrapped, gp_Pln(gp_Pnt(x0, 0, 0), gp_Dir(1, 0, 0)))
    algo.Build()
    edges = cq.Shape.cast(algo.Shape()).Edges()
    if not edges:
        raise ValueError(f"the plane x = {x0} does not cut the part")
    wires = cq.Wire.combine(edges, tol=1e-4)
    loops = []
    for w in wires:
        pts = []
        for e in _ordered(w):
            n = max(2, int(e.Length() / 0.05) + 1)
            ps = [e.positionAt(t) for t in np.linspace(0, 1, n)]
            if pts and (ps[0] - pts[-1]).Length > (ps[-1] - pts[-1]).Length:
                ps = ps[::-1]
            pts.extend(ps[1:] if pts else ps)
        arr = np.array([[p.y, p.z] for p in pts])
        if z_range is None or z_range[0] <= arr[:, 1].mean() <= z_range[1]:
            loops.append(arr)
    return loops


def _ordered(wire):
    import cadquery as cq
    from OCP.BRepTools import BRepTools_WireExplorer

    explorer = BRepTools_WireExplorer(wire.wrapped)
    out = []
    while explorer.More():
        out.append(cq.Edge(explorer.Current()))
        explorer.Next()
    return out


def mesh_section(stl: str | os.PathLike, x0: float = 0.0) -> list[np.ndarray]:
    """Loops (y, z) of the section of an STL mesh by the plane x = x0 (trimesh)."""
    import trimesh

    mesh = trimesh.load(str(stl), file_type="stl", force="mesh")
    path = mesh.section(plane_origin=[x0, 0.0, 0.0], plane_normal=[1.0, 0.0, 0.0])
    if path is None:
        raise ValueError(f"the plane x = {x0} does not cut {stl}")
    return [path.vertices[e.points][:, 1:3] for e in path.entities]
