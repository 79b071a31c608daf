"""Flat cut profiles to DXF for laser cutters, with an audit and cut metrics.

A profile is a closed outline in the XY plane (millimetres): a CadQuery Workplane or
Sketch holding faces or closed wires, a Face, a Wire, or a list of these. Each closed
wire becomes ONE closed contour on layer `CUT`:

* a wire made of one full circle -> a CIRCLE entity;
* any other wire -> one closed LWPOLYLINE whose straight segments are lines and whose
  circular edges are exact arcs (LWPOLYLINE bulges); other curves (ellipses, B-splines)
  are replaced by line segments within `CHORD_TOLERANCE_MM` of the curve.

No SPLINE is ever written (many laser drivers refuse them or cut them as coarse
polylines), and `$INSUNITS` is 4 (millimetres), so the file opens at scale 1:1.

`audit_dxf` reads a DXF back (ours or anyone's) and reports: ezdxf's audit, units, splines,
and whether every contour is closed (LWPOLYLINE/POLYLINE closed flag, CIRCLE, full
ELLIPSE, or LINE/ARC chains whose every end meets exactly one other end).

`cut_metrics` measures a DXF: total cut length, pierces (one per closed contour) and a
modelled cut time at the reference constants below: CUT_SPEED_MM_S along the path plus
PIERCE_S per pierce (travel between contours is ignored: it is fast and small next to
cutting). The constants are a documented middle of the road for 0.5 mm PETG/PP on a
40-60 W CO2 laser, not a measurement of any machine: use the ratio between designs.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Sequence

import cadquery as cq
import ezdxf
import numpy as np

from cad.fsutil import atomic_target
from cad.graph import components

LAYER = "CUT"
INSUNITS_MM = 4
CHORD_TOLERANCE_MM = 0.01  #: largest gap between a curve and its line segments
CLOSE_TOLERANCE_MM = 1e-3  #: two contour ends closer than this are joined
CUT_SPEED_MM_S = 25.0  #: reference cutting speed (0.5 mm PETG/PP, 40-60 W CO2 laser)
PIERCE_S = 0.5  #: reference time per pierce
REFERENCE = f"{CUT_SPEED_MM_S:g} mm/s, {PIERCE_S:g} s per pierce"

Profile = Any  # cq.Workplane | cq.Sketch | cq.Face | cq.Wire | Sequence of these


# ---------------------------------------------------------------- arcs as bulges
# An LWPOLYLINE segment from p0 to p1 with bulge b is the arc of signed sweep
# 4 atan(b) (b > 0: counter-clockwise); b = 0 is a straight line. The one place that
# turns bulges into arcs and back (profiles, lengths, nesting, readers of cut files).


def bulge_of(sweep: float) -> float:
    """The bulge of an arc of signed `sweep` (radians)."""
    return math.tan(sweep / 4)


def bulge_arc(p0: Sequence[float], p1: Sequence[float], bulge: float
              ) -> tuple[tuple[float, float], float, float]:
    """(centre, radius, signed sweep in radians) of a bulged segment (bulge != 0)."""
    if abs(bulge) < 1e-12:
        raise ValueError("bulge 0 is a straight segment, not an arc")
    x0, y0, x1, y1 = float(p0[0]), float(p0[1]), float(p1[0]), float(p1[1])
    sweep = 4 * math.atan(bulge)
    chord = math.hypot(x1 - x0, y1 - y0)
    radius = chord / (2 * abs(math.sin(sweep / 2)))
    # centre: from the chord's middle along its left normal (bulge > 0: CCW arc)
    d = (chord / 2) / math.tan(sweep / 2)
    nx, ny = -(y1 - y0) / chord, (x1 - x0) / chord
    return ((x0 + x1) / 2 + nx * d, (y0 + y1) / 2 + ny * d), radius, sweep


def segment_length(p0: Sequence[float], p1: Sequence[float], bulge: float) -> float:
    """Length of a straight (bulge 0) or bulged segment."""
    if abs(bulge) < 1e-12:
        return math.dist(p0[:2], p1[:2])
    _, radius, sweep = bulge_arc(p0, p1, bulge)
    return radius * abs(sweep)


def arc_points(p0: Sequence[float], p1: Sequence[float], bulge: float, tol: float
               ) -> list[tuple[float, float]]:
    """Points strictly between p0 and p1 along a bulged segment, its chords within `tol`
    of the arc (none for a straight segment)."""
    if abs(bulge) < 1e-12:
        return []
    (cx, cy), r, sweep = bulge_arc(p0, p1, bulge)
    n = max(2, int(math.ceil(abs(sweep) / (2 * math.acos(max(-1.0, 1 - tol / r))))))
    a0 = math.atan2(p0[1] - cy, p0[0] - cx)
    return [(cx + r * math.cos(a0 + sweep * k / n), cy + r * math.sin(a0 + sweep * k / n))
            for k in range(1, n)]


# ---------------------------------------------------------------- profile -> wires

def profile_faces(profile: Profile) -> list[cq.Face]:
    """The faces of a profile (faces of a Sketch/Workplane, or faces made from its
    closed wires). Used by nesting to place parts."""
    out: list[cq.Face] = []
    for obj in _objects(profile):
        if isinstance(obj, cq.Face):
            out.append(obj)
        elif isinstance(obj, cq.Wire):
            out.append(cq.Face.makeFromWires(obj))
        elif isinstance(obj, cq.Shape):
            out.extend(obj.Faces())
    return out


def _objects(profile: Profile) -> list[Any]:
    if isinstance(profile, cq.Sketch):
        faces = list(profile._faces.Faces()) if profile._faces is not None else []
        return faces
    if isinstance(profile, cq.Workplane):
        return [v for v in profile.vals() if isinstance(v, cq.Shape)]
    if isinstance(profile, cq.Shape):
        return [profile]
    if isinstance(profile, (list, tuple)):
        return [o for item in profile for o in _objects(item)]
    raise TypeError(f"a cut profile must be a cadquery Workplane, Sketch, Face or Wire, "
                    f"not {type(profile).__name__}")


def profile_wires(profile: Profile) -> list[cq.Wire]:
    """Every closed wire of a profile: faces give their outer and inner wires."""
    wires: list[cq.Wire] = []
    for obj in _objects(profile):
        if isinstance(obj, cq.Face):
            wires.append(obj.outerWire())
            wires.extend(obj.innerWires())
        elif isinstance(obj, cq.Wire):
            wires.append(obj)
        elif isinstance(obj, cq.Edge):
            wires.append(cq.Wire.assembleEdges([obj]))
        elif isinstance(obj, cq.Shape):
            faces = obj.Faces()
            if faces:
                for f in faces:
                    wires.append(f.outerWire())
                    wires.extend(f.innerWires())
            else:
                wires.extend(obj.Wires())
    return wires


def _ordered_edges(wire: cq.Wire) -> list[cq.Edge]:
    from OCP.BRepTools import BRepTools_WireExplorer

    explorer = BRepTools_WireExplorer(wire.wrapped)
    edges = []
    while explorer.More():
        edges.append(cq.Edge(explorer.Current()))
        explorer.Next()
    return edges


def _xy(v: cq.Vector) -> np.ndarray:
    return np.array([v.x, v.y])


def _edge_points(edge: cq.Edge) -> list[np.ndarray]:
    """Points along a non-circular edge within CHORD_TOLERANCE_MM (ends included)."""
    from OCP.BRepAdaptor import BRepAdaptor_Curve
    from OCP.GCPnts import GCPnts_QuasiUniformDeflection

    curve = BRepAdaptor_Curve(edge.wrapped)
    if edge.geomType() == "LINE":
        return [_xy(edge.startPoint()), _xy(edge.endPoint())]
    sampler = GCPnts_QuasiUniformDeflection(curve, CHORD_TOLERANCE_MM,
                                            curve.FirstParameter(), curve.LastParameter())
    if not sampler.IsDone():  # pragma: no cover - OCCT failure
        raise ValueError("could not discretise a profile edge")
    pts = []
    for i in range(1, sampler.NbPoints() + 1):
        p = sampler.Value(i)
        pts.append(np.array([p.X(), p.Y()]))
    return pts


def _arc_bulge(edge: cq.Edge) -> tuple[np.ndarray, np.ndarray, float]:
    """(start, end, bulge) of a circular arc edge in its parameter direction."""
    s, e = _xy(edge.startPoint()), _xy(edge.endPoint())
    m = _xy(edge.positionAt(0.5))
    c = _xy(edge.arcCenter())
    ang = lambda p: math.atan2(p[1] - c[1], p[0] - c[0])  # noqa: E731
    sweep = (ang(e) - ang(s)) % (2 * math.pi)
    to_mid = (ang(m) - ang(s)) % (2 * math.pi)
    theta = sweep if to_mid < sweep else -(2 * math.pi - sweep)
    return s, e, bulge_of(theta)


def wire_contour(wire: cq.Wire) -> dict[str, Any]:
    """One closed contour of a wire: {"circle": (cx, cy, r)} or {"points": [(x, y, bulge)]}
    (the LWPOLYLINE vertices, bulge for the segment leaving each vertex)."""
    edges = _ordered_edges(wire)
    if not edges:
        raise ValueError("a profile wire has no edges")
    if len(edges) == 1 and edges[0].geomType() == "CIRCLE" and edges[0].IsClosed():
        c = edges[0].arcCenter()
        return {"circle": (c.x, c.y, edges[0].radius())}
    segments: list[tuple[np.ndarray, np.ndarray, float, list[np.ndarray]]] = []
    for edge in edges:
        if edge.geomType() == "CIRCLE":
            s, e, bulge = _arc_bulge(edge)
            segments.append((s, e, bulge, []))
        else:
            pts = _edge_points(edge)
            segments.append((pts[0], pts[-1], 0.0, pts[1:-1]))
    # chain: orient each segment so that it starts where the previous one ended
    chain: list[tuple[float, float, float]] = []
    first_s, first_e = segments[0][0], segments[0][1]
    if len(segments) > 1:
        ns, ne = segments[1][0], segments[1][1]
        if min(np.linalg.norm(first_s - ns), np.linalg.norm(first_s - ne)) < \
                min(np.linalg.norm(first_e - ns), np.linalg.norm(first_e - ne)):
            s, e, b, mid = segments[0]
            segments[0] = (e, s, -b, mid[::-1])
    cursor = segments[0][0]
    start = cursor
    for s, e, bulge, mid in segments:
        if np.linalg.norm(s - cursor) > np.linalg.norm(e - cursor):
            s, e, bulge, mid = e, s, -bulge, mid[::-1]
        gap = float(np.linalg.norm(s - cursor))
        if gap > 10 * CLOSE_TOLERANCE_MM:
            raise ValueError(f"profile wire is not connected (gap of {gap:.4f} mm)")
        if bulge:
            chain.append((float(s[0]), float(s[1]), bulge))
        else:
            chain.append((float(s[0]), float(s[1]), 0.0))
            chain.extend((float(p[0]), float(p[1]), 0.0) for p in mid)
        cursor = e
    gap = float(np.linalg.norm(cursor - start))
    if gap > 10 * CLOSE_TOLERANCE_MM:
        raise ValueError(f"profile wire is open (its ends are {gap:.4f} mm apart)")
    return {"points": chain}


def contours(profile: Profile) -> list[dict[str, Any]]:
    """The closed contours of a profile (see `wire_contour`)."""
    return [wire_contour(w) for w in profile_wires(profile)]


# ---------------------------------------------------------------- writing

def new_document() -> ezdxf.document.Drawing:
    """An empty R2010 DXF in millimetres with the CUT layer (red, the usual cut colour)."""
    doc = ezdxf.new("R2010", setup=False)
    doc.header["$INSUNITS"] = INSUNITS_MM
    doc.header["$MEASUREMENT"] = 1  # metric
    doc.units = INSUNITS_MM
    if LAYER not in doc.layers:
        doc.layers.add(LAYER, color=1)
    return doc


def add_contours(msp, items: Iterable[dict[str, Any]], layer: str = LAYER) -> int:
    """Add contours (from `contours`) to a modelspace; returns how many were added."""
    n = 0
    for item in items:
        if "circle" in item:
            cx, cy, r = item["circle"]
            msp.add_circle((cx, cy), r, dxfattribs={"layer": layer})
        else:
            msp.add_lwpolyline(item["points"], format="xyb", close=True,
                               dxfattribs={"layer": layer})
        n += 1
    return n


def save_document(doc, path: str | os.PathLike) -> Path:
    """Write a DXF atomically."""
    with atomic_target(path) as tmp:
        doc.saveas(tmp)
    return Path(path)


def export_dxf(profile: Profile, path: str | os.PathLike) -> Path:
    """Write a profile's closed contours to `path` (layer CUT, lines and arcs, mm).
    Raises ValueError if the profile holds no closed contour (an empty DXF would be
    written silently otherwise)."""
    items = contours(profile)
    if not items:
        raise ValueError("the cut profile holds no closed contour")
    doc = new_document()
    add_contours(doc.modelspace(), items)
    return save_document(doc, path)


# ---------------------------------------------------------------- reading back

def _lwpolyline_length(entity) -> float:
    pts = list(entity.get_points("xyb"))
    total = 0.0
    n = len(pts)
    last = n if entity.closed else n - 1
    for i in range(last):
        p0, p1 = pts[i], pts[(i + 1) % n]
        total += segment_length(p0, p1, p0[2])
    return total


def _entity_length(e) -> float:
    kind = e.dxftype()
    if kind == "LINE":
        return math.dist(tuple(e.dxf.start)[:2], tuple(e.dxf.end)[:2])
    if kind == "CIRCLE":
        return 2 * math.pi * e.dxf.radius
    if kind == "ARC":
        span = (e.dxf.end_angle - e.dxf.start_angle) % 360 or 360
        return math.radians(span) * e.dxf.radius
    if kind == "LWPOLYLINE":
        return _lwpolyline_length(e)
    if kind in ("POLYLINE", "ELLIPSE", "SPLINE"):
        from ezdxf import path as ezpath
        pts = list(ezpath.make_path(e).flattening(CHORD_TOLERANCE_MM))
        return float(sum(math.dist((a.x, a.y), (b.x, b.y)) for a, b in zip(pts, pts[1:])))
    return 0.0


def _ends(e) -> tuple[tuple[float, float], tuple[float, float]] | None:
    kind = e.dxftype()
    if kind == "LINE":
        return tuple(e.dxf.start)[:2], tuple(e.dxf.end)[:2]
    if kind == "ARC":
        return tuple(e.start_point)[:2], tuple(e.end_point)[:2]
    if kind == "LWPOLYLINE" and not e.closed:
        pts = list(e.get_points("xy"))
        return tuple(pts[0]), tuple(pts[-1])
    return None


def _analyse(doc) -> dict[str, Any]:
    """Contours of a DXF's modelspace: closed ones, open chains, splines, length."""
    closed = 0
    open_chains = 0
    splines = 0
    length = 0.0
    layers: set[str] = set()
    others: list[str] = []
    chain_ends: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for e in doc.modelspace():
        kind = e.dxftype()
        layers.add(e.dxf.layer)
        if kind == "SPLINE":
            splines += 1
        if kind not in ("LINE", "ARC", "CIRCLE", "LWPOLYLINE", "POLYLINE", "ELLIPSE", "SPLINE"):
            others.append(kind)
            continue
        length += _entity_length(e)
        if kind == "CIRCLE":
            closed += 1
        elif kind == "ELLIPSE":
            span = (e.dxf.end_param - e.dxf.start_param) % (2 * math.pi)
            if span < 1e-9 or abs(span - 2 * math.pi) < 1e-9:
                closed += 1
            else:
                chain_ends.append((tuple(e.start_point)[:2], tuple(e.end_point)[:2]))
        elif kind == "LWPOLYLINE":
            pts = list(e.get_points("xy"))
            if e.closed or (len(pts) > 2 and math.dist(pts[0], pts[-1]) < CLOSE_TOLERANCE_MM):
                closed += 1
            else:
                chain_ends.append(_ends(e))
        elif kind == "POLYLINE":
            if e.is_closed:
                closed += 1
            else:
                v = [tuple(x.dxf.location)[:2] for x in e.vertices]
                if len(v) > 2 and math.dist(v[0], v[-1]) < CLOSE_TOLERANCE_MM:
                    closed += 1
                else:
                    chain_ends.append((v[0], v[-1]))
        elif kind == "SPLINE":
            if e.closed:
                closed += 1
            else:
                pts = list(e.control_points)
                chain_ends.append((tuple(pts[0])[:2], tuple(pts[-1])[:2]))
        else:
            chain_ends.append(_ends(e))
    # LINE/ARC/open pieces: closed loops iff every end point meets exactly one other end
    if chain_ends:
        def key(p):
            return (round(p[0] / CLOSE_TOLERANCE_MM), round(p[1] / CLOSE_TOLERANCE_MM))
        degree: dict[tuple[int, int], int] = defaultdict(int)
        for a, b in chain_ends:
            degree[key(a)] += 1
            degree[key(b)] += 1
        labels = components((key(a), key(b)) for a, b in chain_ends)
        comps: dict[int, bool] = {}
        for k, d in degree.items():
            comps[labels[k]] = comps.get(labels[k], True) and d == 2
        closed += sum(1 for ok in comps.values() if ok)
        open_chains += sum(1 for ok in comps.values() if not ok)
    return {"closed": closed, "open": open_chains, "splines": splines,
            "length": length, "layers": sorted(layers), "unsupported": sorted(set(others))}


def audit_dxf(path: str | os.PathLike) -> dict[str, Any]:
    """Read a DXF back and check what a laser cutter needs.

    Returns {"ok", "detail", "audit_errors", "insunits", "contours", "open_contours",
    "splines", "layers", "unsupported"}: ok when ezdxf's audit finds no error, $INSUNITS
    is 4 (mm), there is at least one contour, every contour is closed, no SPLINE, and
    every entity is on layer CUT."""
    try:
        doc = ezdxf.readfile(str(path))
    except (OSError, ezdxf.DXFError) as err:
        return {"ok": False, "detail": f"unreadable DXF: {err}", "audit_errors": None,
                "insunits": None, "contours": 0, "open_contours": 0, "splines": 0,
                "layers": [], "unsupported": []}
    auditor = doc.audit()
    info = _analyse(doc)
    insunits = doc.header.get("$INSUNITS", 0)
    problems = []
    if auditor.has_errors:
        problems.append(f"{len(auditor.errors)} ezdxf audit errors")
    if insunits != INSUNITS_MM:
        problems.append(f"$INSUNITS is {insunits}, not 4 (mm)")
    if info["closed"] + info["open"] == 0:
        problems.append("no contour")
    if info["open"]:
        problems.append(f"{info['open']} open contours")
    if info["splines"]:
        problems.append(f"{info['splines']} SPLINE entities")
    if info["layers"] and info["layers"] != [LAYER]:
        problems.append(f"entities on layers {info['layers']}, expected only {LAYER}")
    if info["unsupported"]:
        problems.append(f"unsupported entities {info['unsupported']}")
    ok = not problems
    detail = (f"{info['closed']} closed contours on layer {LAYER}, lines and arcs only, "
              f"mm, ezdxf audit clean") if ok else "; ".join(problems)
    return {"ok": ok, "detail": detail, "audit_errors": len(auditor.errors),
            "insunits": insunits, "contours": info["closed"] + info["open"],
            "open_contours": info["open"], "splines": info["splines"],
            "layers": info["layers"], "unsupported": info["unsupported"]}


def cut_time_s(cut_length_mm: float, pierces: int) -> float:
    """Modelled cut time at the reference constants (no travel, no acceleration)."""
    return cut_length_mm / CUT_SPEED_MM_S + pierces * PIERCE_S


def cut_metrics_for(profile: Profile) -> dict[str, Any]:
    """cut_metrics of a profile without writing a file (the same measure: the DXF's
    own contours, arcs exact)."""
    doc = new_document()
    add_contours(doc.modelspace(), contours(profile))
    info = _analyse(doc)
    pierces = info["closed"] + info["open"]
    return {"cut_length_mm": round(info["length"], 2), "pierces": pierces,
            "cut_time_s": round(cut_time_s(info["length"], pierces), 1),
            "reference": REFERENCE}


def cut_metrics(path: str | os.PathLike) -> dict[str, Any]:
    """{"cut_length_mm", "pierces", "cut_time_s", "reference"} of a DXF file."""
    doc = ezdxf.readfile(str(path))
    info = _analyse(doc)
    pierces = info["closed"] + info["open"]
    length = info["length"]
    return {"cut_length_mm": round(length, 2), "pierces": pierces,
            "cut_time_s": round(cut_time_s(length, pierces), 1), "reference": REFERENCE}
