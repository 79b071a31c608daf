"""Section properties measured by OCCT: area, centroid and second moments of a plane
section of a part, from the face itself (`BRepGProp.SurfaceProperties_s` into a
`GProp_GProps`, then its `MatrixOfInertia` about the centroid).

A headband is a curved beam; how much it bends under a load is inversely proportional to
E * I, with I the second moment of area of its cross-section about the bending axis. For
two bands of one material, I compares their stiffness (curvature and length aside, which
are close for headbands of one head size).

One method for every part, so that figures compare: cut the part by the plane x = x0
(the front centre line of a band lying in print orientation, front apex towards +Y),
take the section as an OCCT face and measure it:

* `second_moment_mm4` = integral of (y - yc)^2 dA: bending about the vertical axis (Z,
  vertical when worn too): the band opening and closing round the head, in its plane.
* `second_moment_sag_mm4` = integral of (z - zc)^2 dA: bending about the radial axis:
  the front sagging up and down under the sheet's weight.

`brep_section_face` cuts a CadQuery shape (OCCT boolean common with the plane's face:
exact); `mesh_section_face` cuts an STL with trimesh (anchors are meshes) and rebuilds
the section's polygons as an OCCT face (shapely sorts outer loops from holes), so both
are measured by the same OCCT call.

The moments come from OCCT's inertia tensor J about the centroid of the face (a lamina
of unit density): J = integral of (|r|^2 Id - r r^T) dA, so tr(J) = 2 integral of
|r|^2 dA and integral of r r^T dA = tr(J) / 2 Id - J; for a unit direction e, the second
moment integral of (r . e)^2 dA is e^T (tr(J) / 2 Id - J) e.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np


def face_moments(face, e_u=(0.0, 1.0, 0.0), e_v=(0.0, 0.0, 1.0)) -> dict[str, Any]:
    """Area, centroid and centroidal second moments of a planar face (a cadquery Face,
    or a Compound / Shape of coplanar faces) along the in-plane unit directions e_u and
    e_v: i_u = integral of ((r - c) . e_u)^2 dA, i_v likewise, i_uv the product."""
    from OCP.BRepGProp import BRepGProp
    from OCP.GProp import GProp_GProps

    shape = getattr(face, "wrapped", face)
    props = GProp_GProps()
    BRepGProp.SurfaceProperties_s(shape, props)
    area = props.Mass()
    if area <= 0:
        raise ValueError("empty section: the plane does not cut the part")
    c = props.CentreOfMass()
    m = props.MatrixOfInertia()  # about the centre of mass
    J = np.array([[m.Value(i, j) for j in (1, 2, 3)] for i in (1, 2, 3)])
    rr = np.trace(J) / 2 * np.eye(3) - J  # integral of r r^T dA (lamina)
    u, v = np.asarray(e_u, float), np.asarray(e_v, float)
    return {"area_mm2": float(area), "centroid": (c.X(), c.Y(), c.Z()),
            "i_u_mm4": float(u @ rr @ u), "i_v_mm4": float(v @ rr @ v),
            "i_uv_mm4": float(u @ rr @ v)}


def brep_section_face(shape, x0: float = 0.0, z_range: tuple[float, float] | None = None):
    """The section of a CadQuery shape (Workplane, Solid, Compound) by the plane
    x = x0, as an OCCT shape made of faces (the boolean common of the shape and a large
    face of that plane). z_range keeps only the faces whose centroid height lies in it
    (one band of a stack)."""
    import cadquery as cq

    solid = shape.val() if isinstance(shape, cq.Workplane) else shape
    bb = solid.BoundingBox()
    size = 4 * max(bb.xlen, bb.ylen, bb.zlen) + 10
    centre = cq.Vector(x0, (bb.ymin + bb.ymax) / 2, (bb.zmin + bb.zmax) / 2)
    plane = cq.Face.makePlane(size, size, centre, cq.Vector(1, 0, 0))
    faces = solid.intersect(plane).Faces()
    if z_range is not None:
        faces = [f for f in faces if z_range[0] <= f.Center().z <= z_range[1]]
    if not faces:
        raise ValueError(f"the plane x = {x0} does not cut the part")
    return cq.Compound.makeCompound(faces)


def polygons_face(loops_yz: Sequence[np.ndarray], x0: float = 0.0):
    """Closed loops of (y, z) points in the plane x = x0 as an OCCT shape of faces with
    holes (a loop inside another is a hole; shapely sorts them by even-odd nesting)."""
    import cadquery as cq
    import shapely
    from shapely.geometry import Polygon

    polys = [Polygon(np.asarray(l, float)) for l in loops_yz if len(l) >= 3]
    polys = [p if p.is_valid else p.buffer(0) for p in polys]
    region = None
    for p in polys:  # symmetric difference = even-odd rule
        region = p if region is None else region.symmetric_difference(p)
    if region is None or region.is_empty:
        raise ValueError("no section: the plane does not cut the part")
    faces = []
    for poly in getattr(region, "geoms", [region]):
        poly = shapely.geometry.polygon.orient(poly)

        def wire(ring):
            pts = list(ring.coords)[:-1]
            return cq.Wire.makePolygon([cq.Vector(x0, y, z) for y, z in pts], close=True)
        faces.append(cq.Face.makeFromWires(wire(poly.exterior),
                                           [wire(r) for r in poly.interiors]))
    return cq.Compound.makeCompound(faces)


def mesh_section_face(stl: str | os.PathLike, x0: float = 0.0):
    """The section of an STL mesh by the plane x = x0 (trimesh), as an OCCT shape."""
    import trimesh

    mesh = trimesh.load(str(stl), file_type="stl", force="mesh")
    path = mesh.section(plane_origin=[x0, 0.0, 0.0], plane_normal=[1.0, 0.0, 0.0])
    if path is None:
        raise ValueError(f"the plane x = {x0} does not cut {stl}")
    loops = [path.vertices[e.points][:, 1:3] for e in path.entities]
    return polygons_face(loops, x0)


def stiffness_figure(section_face) -> dict[str, Any]:
    """The manifest's "stiffness" figure of a section in a plane x = const: in-plane
    (about Z) and sag (about the radial axis) second moments, OCCT-measured."""
    m = face_moments(section_face, (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    return {"second_moment_mm4": round(m["i_u_mm4"], 2),
            "axis": "vertical: bending in the band's plane",
            "second_moment_sag_mm4": round(m["i_v_mm4"], 2)}
