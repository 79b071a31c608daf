"""Measure exported cut files (DXF) with shapely: what a laser cutter will receive.

The checks of laser-cut designs read the DXF the engine wrote, not the model that wrote
it, and hold it to facts from outside the model (stock sheet sizes declared in a
design's design.toml, the mating panel's own file, a punch pattern's standard figures):

- `loops(path)`: every closed contour of the file as a shapely polygon (arcs and circles
  flattened by ezdxf to within `ARC_TOLERANCE_MM`);
- `parts(path)`: the contours grouped into parts, even-odd (a contour inside one contour
  is a hole of it; inside two, a part again: a small part nested in a big part's hole);
- `check_sheet(path, sheet_mm, min_gap)`: a nested sheet is cuttable: every part inside
  the stock sheet, no two parts overlapping, every two parts at least `min_gap` (the
  kerf) apart, and, if given, the parts the same as the single parts' own files (by
  area: nothing lost, doubled or clipped).
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import ezdxf
import numpy as np
import shapely
from ezdxf import path as ezpath
from shapely.geometry import Polygon, box

ARC_TOLERANCE_MM = 0.01  #: largest distance between an arc and its flattened chords
EDGE_TOLERANCE_MM = 1e-3  #: a contour may touch the sheet's edge within this
AREA_TOLERANCE = 1e-4  #: relative: two parts of equal area within this are the same part
SEARCH_MM = 50.0  #: neighbours farther apart than this are not measured (gap "> 50 mm")


def loops(path: str | os.PathLike, tol: float = ARC_TOLERANCE_MM) -> list[Polygon]:
    """Every closed contour (closed LWPOLYLINE or POLYLINE, CIRCLE) as a polygon."""
    doc = ezdxf.readfile(str(path))
    out = []
    for e in doc.modelspace():
        kind = e.dxftype()
        if kind == "CIRCLE" or (kind == "LWPOLYLINE" and e.closed) or \
                (kind == "POLYLINE" and e.is_closed):
            pts = [(v.x, v.y) for v in ezpath.make_path(e).flattening(tol)]
            poly = Polygon(pts)
            out.append(poly if poly.is_valid else poly.buffer(0))
    return out


def lwpolylines(path: str | os.PathLike) -> list[list[tuple[float, float, float]]]:
    """The (x, y, bulge) vertices of every LWPOLYLINE of a DXF (largest first)."""
    doc = ezdxf.readfile(str(path))
    out = [list(e.get_points("xyb")) for e in doc.modelspace().query("LWPOLYLINE")]
    return sorted(out, key=lambda pts: -abs(Polygon([p[:2] for p in pts]).area)
                  if len(pts) > 2 else 0.0)


def circles(path: str | os.PathLike) -> list[tuple[float, float, float]]:
    """(cx, cy, r) of every CIRCLE of a DXF, sorted by centre."""
    doc = ezdxf.readfile(str(path))
    return sorted((float(e.dxf.center.x), float(e.dxf.center.y), float(e.dxf.radius))
                  for e in doc.modelspace().query("CIRCLE"))


def group_parts(contours: Sequence[Polygon]) -> list[Polygon]:
    """Contours grouped even-odd into parts (polygons with holes), largest first."""
    order = sorted(range(len(contours)), key=lambda i: -contours[i].area)
    polys = [contours[i] for i in order]
    shapely.prepare(polys)
    parent: list[int | None] = []
    depth: list[int] = []
    for i, p in enumerate(polys):
        # the smallest larger contour that contains all of this one (earlier ones are
        # larger); contours that cross are two parts that overlap, not a hole
        inside = [j for j in range(i) if polys[j].contains(p)]
        j = inside[-1] if inside else None
        parent.append(j)
        depth.append(0 if j is None else depth[j] + 1)
    out = []
    for i, p in enumerate(polys):
        if depth[i] % 2:
            continue
        holes = [polys[k].exterior.coords for k in range(len(polys)) if parent[k] == i]
        part = Polygon(p.exterior.coords, holes)
        out.append(part if part.is_valid else shapely.make_valid(part))
    return out


def parts(path: str | os.PathLike) -> list[Polygon]:
    """The parts of a DXF: its closed contours grouped even-odd (see `group_parts`)."""
    return group_parts(loops(path))


def smallest_gaps(geoms: Sequence[Polygon], search: float = SEARCH_MM
                  ) -> list[tuple[int, int, float]]:
    """(i, j, distance) of every pair of parts less than `search` apart, i < j;
    distance 0 for parts that touch or overlap."""
    if len(geoms) < 2:
        return []
    tree = shapely.STRtree(list(geoms))
    left, right = tree.query(list(geoms), predicate="dwithin", distance=search)
    keep = left < right
    left, right = left[keep], right[keep]
    dist = shapely.distance(np.asarray(geoms, dtype=object)[left],
                            np.asarray(geoms, dtype=object)[right])
    return [(int(a), int(b), float(d)) for a, b, d in zip(left, right, dist)]


def check_sheet(path: str | os.PathLike, sheet_mm: tuple[float, float], min_gap: float,
                expect_areas: Sequence[float] | None = None, name: str = "sheet"
                ) -> dict[str, Any]:
    """A manifest check of one nested sheet's DXF (see the module docstring).

    sheet_mm: the stock sheet (width along x, height along y, origin at its lower left);
    min_gap: least distance between two parts' cut paths (the laser's kerf: closer, the
    strip between them burns away); expect_areas: the areas of the parts that must be on
    this sheet, in any order (None: not checked)."""
    found = parts(path)
    w, h = sheet_mm
    frame = box(-EDGE_TOLERANCE_MM, -EDGE_TOLERANCE_MM, w + EDGE_TOLERANCE_MM,
                h + EDGE_TOLERANCE_MM)
    outside = [i for i, p in enumerate(found) if not frame.contains(p)]
    gaps = smallest_gaps(found, max(SEARCH_MM, 2 * min_gap))
    overlaps = [(a, b) for a, b, _ in gaps if found[a].intersection(found[b]).area > 0]
    close = [(a, b, d) for a, b, d in gaps if d < min_gap - 1e-9]
    smallest = min((d for _, _, d in gaps), default=None)
    problems = []
    if not found:
        problems.append("no part")
    if outside:
        x0, y0, x1, y1 = shapely.union_all([found[i] for i in outside]).bounds
        problems.append(f"{len(outside)} parts OUTSIDE the {w:g} x {h:g} mm sheet "
                        f"(they reach x {x0:.2f} to {x1:.2f}, y {y0:.2f} to {y1:.2f} mm)")
    if overlaps:
        problems.append(f"{len(overlaps)} pairs of parts OVERLAP")
    if close:
        problems.append(f"{len(close)} pairs of parts CLOSER than the {min_gap:g} mm kerf "
                        f"(smallest gap {min(d for *_, d in close):.3f} mm)")
    if expect_areas is not None:
        missing = match_areas([p.area for p in found], expect_areas)
        if missing:
            problems.append(missing)
    gap_txt = (f"smallest gap between parts {smallest:.3f} mm" if smallest is not None
               else f"no two parts within {max(SEARCH_MM, 2 * min_gap):g} mm")
    ok = not problems
    detail = (f"{name}: {len(found)} parts inside the {w:g} x {h:g} mm sheet, none "
              f"overlapping, {gap_txt} (kerf {min_gap:g} mm), measured on the DXF"
              if ok else f"{name}: " + "; ".join(problems) + f"; {gap_txt}")
    return {"ok": ok, "detail": detail, "parts": len(found),
            "min_gap_mm": None if smallest is None else round(smallest, 4),
            "outside": len(outside), "overlaps": len(overlaps), "too_close": len(close)}


def match_areas(found: Sequence[float], expect: Sequence[float]) -> str:
    """"" if the parts found have the expected areas (in any order), else what differs."""
    pool = list(expect)
    unexpected = []
    for area in found:
        hit = next((k for k, a in enumerate(pool)
                    if abs(area - a) <= AREA_TOLERANCE * max(a, 1.0)), None)
        if hit is None:
            unexpected.append(round(float(area), 1))
        else:
            pool.pop(hit)
    if not unexpected and not pool:
        return ""
    return (f"parts differ from the single parts' files: {len(found)} found for "
            f"{len(expect)} expected"
            + (f"; areas not expected {unexpected} mm2" if unexpected else "")
            + (f"; missing areas {[round(float(a), 1) for a in pool]} mm2" if pool else ""))


def check_sheets(paths: Sequence[str | os.PathLike], sheet_mm: tuple[float, float],
                 min_gap: float, expect_areas: Sequence[float] | None = None
                 ) -> dict[str, Any]:
    """`check_sheet` over the sheets of a set (every part on one of them): each sheet
    checked, and all sheets together hold exactly the expected parts."""
    each = [check_sheet(p, sheet_mm, min_gap, name=f"sheet {k + 1}")
            for k, p in enumerate(paths)]
    problems = [c["detail"] for c in each if not c["ok"]]
    if not paths:
        problems.append("no sheet file")
    if expect_areas is not None:
        areas = [q.area for p in paths for q in parts(p)]
        missing = match_areas(areas, expect_areas)
        if missing:
            problems.append("all sheets: " + missing)
    gaps = [c["min_gap_mm"] for c in each if c["min_gap_mm"] is not None]
    ok = not problems
    detail = ("; ".join(c["detail"] for c in each)
              + (f"; together the {len(expect_areas)} parts of the set"
                 if expect_areas is not None else "")) if ok else "; ".join(problems)
    return {"ok": ok, "detail": detail, "sheets": len(paths),
            "parts": sum(c["parts"] for c in each),
            "min_gap_mm": min(gaps) if gaps else None,
            "kerf_mm": min_gap, "stock_mm": [sheet_mm[0], sheet_mm[1]]}


def stock_sheets(meta: dict[str, Any]) -> list[tuple[float, float]]:
    """The stock sheets a design.toml declares: `[stock] sheets_mm = [[w, h], ...]`."""
    try:
        sheets = meta["stock"]["sheets_mm"]
    except KeyError:
        raise KeyError("design.toml declares no [stock] sheets_mm") from None
    return [(float(a), float(b)) for a, b in sheets]


def declared_sheet(meta: dict[str, Any], width: float, height: float
                   ) -> tuple[float, float] | None:
    """The declared stock sheet equal to width x height (either way round), or None."""
    want = sorted((float(width), float(height)))
    for sheet in stock_sheets(meta):
        if all(abs(a - b) < 1e-6 for a, b in zip(sorted(sheet), want)):
            return float(width), float(height)
    return None
