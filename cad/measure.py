"""Exact measurements of a solid for the manifest: bounding box and volume.

Measured on the B-rep, not on a mesh: the numbers are the design's, independent of how
finely a file was tessellated. OCCT's default box grows with any stored triangulation,
so the box here ignores triangulation and shape tolerances.
"""

from __future__ import annotations

from typing import Any

import cadquery as cq
from OCP.Bnd import Bnd_Box
from OCP.BRepBndLib import BRepBndLib

_DIGITS = 6  # 1 nm: far below any fabrication tolerance, hides float noise


def _r(value: float) -> float:
    return round(float(value), _DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0


def bbox(shape: cq.Shape) -> dict[str, list[float]]:
    """{"min": [x, y, z], "max": [...], "size": [...]} in mm, exact (optimal) box."""
    box = Bnd_Box()
    BRepBndLib.AddOptimal_s(shape.wrapped, box, False, False)
    xmin, ymin, zmin, xmax, ymax, zmax = box.Get()
    lo, hi = [xmin, ymin, zmin], [xmax, ymax, zmax]
    return {"min": [_r(v) for v in lo], "max": [_r(v) for v in hi],
            "size": [_r(b - a) for a, b in zip(lo, hi)]}


def volume(shape: cq.Shape) -> float:
    """Volume in mm3 of the solid(s)."""
    return _r(shape.Volume())


def measure(shape: cq.Shape) -> dict[str, Any]:
    """The manifest's geometric fields: bbox and volume_mm3."""
    return {"bbox": bbox(shape), "volume_mm3": volume(shape)}
