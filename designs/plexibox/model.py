"""Plexibox: an intubation / aerosol box laser-cut from flat acrylic (or PETG) panels.

A clear box placed over a patient's head and shoulders, open at the bottom (it stands on
the bed) and at the patient's side; the clinician works through two arm ports in the
wall facing them. Four panels, assembled with finger joints (`cad.joints`), no screws:

- `front`: the clinician's wall, with the two arm ports;
- `side-left`, `side-right`: the side walls;
- `top`: the roof.

Coordinates of the assembled box (millimetres): x across the patient (width), y from the
clinician's wall towards the patient (depth), z up from the bed. Outer size
W = inner_width + 2 t, D = inner_depth + t, H = inner_height + t (t = sheet thickness):
the front wall is y in [0, t], the sides x in [0, t] and [W - t, W], the roof z in
[H - t, H]; so the inside is exactly inner_width x inner_depth x inner_height.

Joints: the front owns the two top corners (tabs at the ends of its three jointed edges),
each side owns the corner at the open end of its top edge, the top has slots at every
end. Every joint's segments are laid out by `cad.joints.finger_layout` from the edge's
length and the sheet thickness.

Cut files: each panel's outline is offset outward by kerf / 2 (tabs wider, slots
narrower, holes smaller), so after the laser burns its kerf the parts are nominal and
the joints tight. The preview (GLB) and the drawing (SVG) show the nominal panels
assembled.
"""

from __future__ import annotations

import functools
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import cadquery as cq
import shapely

from cad import cutcheck, joints
from cad.params import Params, param

PORT_WEB = 40.0  #: mm, least material between the two arm ports (documented margin)
PORT_MARGIN = 30.0  #: mm, least material between a port and the inside of any wall edge
NEST_GAP = 5.0  #: mm between parts on the stock sheet (and from its edges: none assumed)
PANELS = ("front", "side-left", "side-right", "top")


@dataclass(frozen=True)
class PlexiboxParams(Params):
    """Parameters of the plexibox (lengths in millimetres)."""

    inner_width: int = param(
        500, min=300, max=800, title="Inner width",
        doc="Inside width of the box, across the patient (between the side walls).")
    inner_depth: int = param(
        400, min=250, max=700, title="Inner depth",
        doc="Inside depth, from the clinician's wall to the open patient side.")
    inner_height: int = param(
        400, min=250, max=600, title="Inner height",
        doc="Inside height, from the bed to the underside of the roof.")
    sheet_thickness: float = param(
        3.0, min=3.0, max=6.0, title="Sheet thickness",
        doc="Thickness of the acrylic or PETG sheet, 3 to 6 mm. Measure the sheet you "
            "actually bought (acrylic sold as 3 mm is often 2.8 to 3.2 mm): the finger "
            "depth is this value.")
    port_diameter: float = param(
        100.0, min=80.0, max=160.0, title="Arm-port diameter",
        doc="Diameter of the two arm ports in the clinician's wall.")
    port_spacing: float = param(
        220.0, min=120.0, max=600.0, title="Arm-port spacing",
        doc=f"Distance between the centres of the two arm ports. The ports must leave at "
            f"least {PORT_WEB:g} mm of sheet between them.")
    port_height: float = param(
        180.0, min=60.0, max=500.0, title="Arm-port height",
        doc=f"Height of the ports' centres above the bed. Each port must leave at least "
            f"{PORT_MARGIN:g} mm of sheet to the bed and to the inside of the roof and "
            f"side walls.")
    kerf: float = param(
        0.15, min=0.0, max=0.5, title="Kerf",
        doc="Width of the strip the laser burns away (measure it on a test cut: cut a "
            "20 mm square, measure it, kerf = 20 - measured). Cut paths are offset by "
            "half of it so the parts and joints come out at nominal size.")
    stock_width: int = param(
        1220, min=300, max=3050, title="Stock sheet width",
        doc="Width of the stock sheets the panels are nested on (1220 x 610 mm is a "
            "common 4 x 2 ft sheet and laser bed).")
    stock_height: int = param(
        610, min=300, max=2050, title="Stock sheet height",
        doc="Height of the stock sheets.")

    @property
    def t(self) -> float:
        return self.sheet_thickness

    @property
    def outer(self) -> tuple[float, float, float]:
        t = self.sheet_thickness
        return self.inner_width + 2 * t, self.inner_depth + t, self.inner_height + t

    def panel_sizes(self) -> dict[str, tuple[float, float]]:
        """Each panel's outer (width, height) in its own plane."""
        W, D, H = self.outer
        return {"front": (W, H), "side-left": (D, H), "side-right": (D, H), "top": (W, D)}

    def validate(self) -> None:
        r = self.port_diameter / 2
        W, D, H = self.outer
        web = self.port_spacing - self.port_diameter
        if web < PORT_WEB - 1e-9:
            self.fail("port_spacing",
                      f"at least {self.port_diameter + PORT_WEB:g} mm: the {self.port_diameter:g} mm "
                      f"ports overlap or leave less than {PORT_WEB:g} mm between them")
        side_room = (self.inner_width - self.port_spacing) / 2 - r
        if side_room < PORT_MARGIN - 1e-9:
            hi = self.inner_width - 2 * (r + PORT_MARGIN)
            self.fail("port_spacing",
                      f"at most {hi:g} mm: each port must leave {PORT_MARGIN:g} mm to the "
                      f"inside of the side walls (inner width {self.inner_width} mm)")
        lo, hi = r + PORT_MARGIN, self.inner_height - r - PORT_MARGIN
        if not lo - 1e-9 <= self.port_height <= hi + 1e-9:
            self.fail("port_height",
                      f"from {lo:g} to {hi:g} mm: the ports must leave {PORT_MARGIN:g} mm to "
                      f"the bed and to the roof (inner height {self.inner_height} mm)")
        sw, sh = self.stock_width, self.stock_height
        long_name, short_name = ("stock_width", "stock_height") if sw >= sh else \
            ("stock_height", "stock_width")
        for name, (a, b) in self.panel_sizes().items():
            big, small = max(a, b) + self.kerf, min(a, b) + self.kerf
            if big > max(sw, sh) or small > min(sw, sh):
                field, need = (long_name, big) if big > max(sw, sh) else (short_name, small)
                self.fail(field,
                          f"at least {need:.1f} mm: the box is larger than its stock sheet "
                          f"(the {name} panel is {big:.1f} x {small:.1f} mm with the kerf; "
                          f"stock {sw} x {sh} mm)")


PARAMS = PlexiboxParams


# ----------------------------------------------------------------------- joints


def edge_joints(p: PlexiboxParams) -> dict[str, dict[str, joints.EdgeJoint | None]]:
    """Each panel's four edges (see the module docstring for who owns the corners)."""
    W, D, H = p.outer
    t = p.t
    front_side = joints.joint(H, t, t, "tab")  # the front's vertical edges
    front_top = joints.joint(W, t, t, "tab")  # the front's top edge
    side_top = joints.joint(D, t, t, "tab")  # each side's top edge
    return {
        "front": {"bottom": None, "right": front_side, "top": front_top, "left": front_side},
        "side-left": {"bottom": None, "right": None, "top": side_top,
                      "left": front_side.mate()},
        "side-right": {"bottom": None, "right": None, "top": side_top,
                       "left": front_side.mate()},
        "top": {"bottom": front_top.mate(), "right": side_top.mate(), "top": None,
                "left": side_top.mate()},
    }


#: which edges meet in the assembled box: (panel, edge) pairs
MATES = (
    (("front", "left"), ("side-left", "left")),
    (("front", "right"), ("side-right", "left")),
    (("front", "top"), ("top", "bottom")),
    (("side-left", "top"), ("top", "left")),
    (("side-right", "top"), ("top", "right")),
)


def port_centres(p: PlexiboxParams) -> list[tuple[float, float]]:
    """Arm-port centres in the front panel's plane (x along the width, z up)."""
    W = p.outer[0]
    return [(W / 2 - p.port_spacing / 2, p.port_height), (W / 2 + p.port_spacing / 2, p.port_height)]


def outlines(p: PlexiboxParams, kerf: float | None = None) -> dict[str, list[tuple[float, float]]]:
    """Each panel's outline (cut path when kerf is the parameter; nominal when 0)."""
    k = p.kerf if kerf is None else kerf
    ej = edge_joints(p)
    return {name: joints.panel_outline(*p.panel_sizes()[name], ej[name], k) for name in PANELS}


def _face(points, holes=()) -> cq.Face:
    outer = cq.Wire.makePolygon([cq.Vector(x, y, 0) for x, y in points], close=True)
    inner = [cq.Wire.makeCircle(r, cq.Vector(x, y, 0), cq.Vector(0, 0, 1)) for x, y, r in holes]
    return cq.Face.makeFromWires(outer, inner)


def _holes(p: PlexiboxParams, name: str, kerf: float) -> list[tuple[float, float, float]]:
    if name != "front":
        return []
    return [(x, z, p.port_diameter / 2 - kerf / 2) for x, z in port_centres(p)]


def profiles(p: PlexiboxParams) -> dict[str, cq.Workplane]:
    """One cut profile per panel, kerf-compensated, in the XY plane."""
    out = {}
    for name, pts in outlines(p).items():
        out[name] = cq.Workplane("XY").add(_face(pts, _holes(p, name, p.kerf)))
    return out


# --------------------------------------------------------------------- assembly

#: each panel's placement: (origin, u axis, v axis, thickness direction) in the box
def _frames(p: PlexiboxParams):
    W, D, H = p.outer
    t = p.t
    X, Y, Z = (1, 0, 0), (0, 1, 0), (0, 0, 1)
    return {
        "front": ((0, 0, 0), X, Z, Y),
        "side-left": ((0, 0, 0), Y, Z, X),
        "side-right": ((W - t, 0, 0), Y, Z, X),
        "top": ((0, 0, H - t), X, Y, Z),
    }


def panel_solid(p: PlexiboxParams, name: str) -> cq.Solid:
    """The nominal panel (no kerf) as a slab at its place in the assembled box."""
    origin, u, v, n = (cq.Vector(*a) for a in _frames(p)[name])
    pts = joints.nominal_outline(*p.panel_sizes()[name], edge_joints(p)[name])

    def place(x, y):
        return origin + u * x + v * y

    outer = cq.Wire.makePolygon([place(x, y) for x, y in pts], close=True)
    inner = [cq.Wire.makeCircle(r, place(x, y), n) for x, y, r in _holes(p, name, 0.0)]
    face = cq.Face.makeFromWires(outer, inner)
    return cq.Solid.extrudeLinear(face, n * p.t)


COLORS = {"front": (0.75, 0.88, 0.95, 0.6), "side-left": (0.70, 0.85, 0.95, 0.6),
          "side-right": (0.70, 0.85, 0.95, 0.6), "top": (0.80, 0.90, 0.97, 0.6)}


def build(p: PlexiboxParams) -> cq.Assembly:
    """The assembled box (nominal panels), for the 3D preview and the drawing."""
    asm = cq.Assembly(name="plexibox")
    for name in PANELS:
        asm.add(panel_solid(p, name), name=name, color=cq.Color(*COLORS[name]))
    return asm


# ------------------------------------------------------------ nesting, files, figures


@functools.lru_cache(maxsize=8)
def nesting(p: PlexiboxParams):
    """The four panels nested on stock sheets (cad.nesting, one of each)."""
    from cad.nesting import Part, nest

    parts = [Part(name, prof, quantity=1) for name, prof in profiles(p).items()]
    return nest(parts, p.stock_width, p.stock_height, gap=NEST_GAP)


def extra_files(p: PlexiboxParams, result, folder: Path, stem: str) -> dict[str, Path]:
    """One ready-to-cut DXF per stock sheet: <variant>.sheet-<n>.dxf."""
    res = nesting(p)
    return {f"sheet-{i + 1}.dxf": res.export_dxf(Path(folder) / f"{stem}.sheet-{i + 1}.dxf",
                                                 sheet=i)
            for i in range(res.sheets_needed)}


def figures(p: PlexiboxParams, result) -> dict:
    """Nesting: sheets per box, panels on the first sheet, efficiency."""
    fig = nesting(p).figure()
    fig["sheets_per_box"] = fig["sheets_needed"]
    return {"nest": fig}


# ------------------------------------------------------------------------- checks
# Measured on the files the engine wrote (the panel DXFs and the nested sheet DXFs),
# held to facts from outside the model: the stock sheets design.toml declares, the
# mating panel's own DXF and the laser's kerf.

DESIGN_TOML = Path(__file__).resolve().with_name("design.toml")


def metadata(toml_path: Path | None = None) -> dict:
    """design.toml, read for its [stock] sheets."""
    return tomllib.loads((toml_path or DESIGN_TOML).read_text(encoding="utf-8"))


def export_files(p: PlexiboxParams, folder: Path, stem: str = "part") -> dict[str, Path]:
    """The cut files as the engine writes them: <stem>.<panel>.dxf and the sheets."""
    from cad.dxf import export_dxf

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = {f"{name}.dxf": export_dxf(prof, folder / f"{stem}.{name}.dxf")
             for name, prof in profiles(p).items()}
    files.update(extra_files(p, None, folder, stem))
    return files


def _panel_path(path: Path):
    """A panel's cut path from its DXF: the outline (largest contour) as a polygon."""
    return max(cutcheck.loops(path), key=lambda poly: poly.area)


def _edge_point(p: PlexiboxParams, panel: str, edge: str, s: float) -> cq.Vector:
    (ox, oy), (ux, uy), _, _ = joints.edge_frame(*p.panel_sizes()[panel], edge)
    origin, u, v, _ = (cq.Vector(*a) for a in _frames(p)[panel])
    return origin + u * (ox + ux * s) + v * (oy + uy * s)


def check_joints(p: PlexiboxParams, files: dict[str, Path]) -> dict:
    """Tabs of each panel's DXF against the slots of its mate's DXF, after the kerf."""
    paths = {name: _panel_path(files[f"{name}.dxf"]) for name in PANELS}
    sizes = p.panel_sizes()
    rows, bad, clear = {}, [], []
    for (pa, ea), (pb, eb) in MATES:
        length = joints.edge_frame(*sizes[pa], ea)[3]
        tabs_a, sure_a = joints.fingers_as_cut(paths[pa], *sizes[pa], ea, p.t, p.kerf)
        tabs_b, sure_b = joints.fingers_as_cut(paths[pb], *sizes[pb], eb, p.t, p.kerf)
        # the mate's edge read in this edge's direction (the assembled box tells which)
        a0 = _edge_point(p, pa, ea, 0.0)
        if (a0 - _edge_point(p, pb, eb, 0.0)).Length > (a0 - _edge_point(p, pb, eb, length)).Length:
            tabs_b = sorted((length - hi, length - lo) for lo, hi in tabs_b)
        # the last thickness at each end may be the third panel's corner: compare inside
        ends = (p.t, length - p.t)
        slots_a = joints.clip_runs(joints.gaps_between(tabs_a, length), *ends)
        slots_b = joints.clip_runs(joints.gaps_between(tabs_b, length), *ends)
        tabs_a, tabs_b = joints.clip_runs(tabs_a, *ends), joints.clip_runs(tabs_b, *ends)
        one = joints.compare_fingers(tabs_a, slots_b)
        other = joints.compare_fingers(tabs_b, slots_a)
        name = f"{pa}.{ea} / {pb}.{eb}"
        ok = one["ok"] and other["ok"] and sure_a and sure_b
        rows[name] = {"tabs": [one["pairs"], other["pairs"]],
                      "clearance_mm": one["clearance_mm"], "mate_clearance_mm":
                      other["clearance_mm"], "max_offset_mm": one["max_offset_mm"]}
        if ok:
            clear += one["clearance_mm"] + other["clearance_mm"]
        else:
            why = one.get("problem") or other.get("problem") or \
                f"slots shallower than the {p.t:g} mm sheet"
            bad.append(f"{name}: {why}")
    tol = joints.MATE_TOLERANCE_MM
    detail = (f"{len(MATES)} jointed edges measured on the panels' DXF files after a "
              f"{p.kerf:g} mm kerf: every tab of one panel in a slot of its mate, slots "
              f"{p.t:g} mm deep, clearance {min(clear):+.3f} to {max(clear):+.3f} mm "
              f"(tight joint: 0 +- {tol:g} mm)" if not bad
              else "joints that do not mate: " + "; ".join(bad))
    return {"ok": not bad, "detail": detail, "edges": rows}


def check_stock(p: PlexiboxParams, files: dict[str, Path], meta: dict) -> dict:
    """Each panel's DXF fits a declared stock sheet; the variant nests on one."""
    declared = cutcheck.stock_sheets(meta)
    sheet = cutcheck.declared_sheet(meta, p.stock_width, p.stock_height)
    problems, sizes = [], {}
    for name in PANELS:
        x0, y0, x1, y1 = shapely.union_all(cutcheck.loops(files[f"{name}.dxf"])).bounds
        w, h = x1 - x0, y1 - y0
        sizes[name] = [round(w, 3), round(h, 3)]
        if not any(min(w, h) <= min(s) and max(w, h) <= max(s) for s in declared):
            problems.append(f"the {name} panel's DXF is {w:.1f} x {h:.1f} mm, larger than "
                            "every declared stock sheet")
    if sheet is None:
        problems.append(f"nested on {p.stock_width} x {p.stock_height} mm, which is not a "
                        "stock sheet declared in design.toml")
    stock_txt = ", ".join(f"{a:g} x {b:g}" for a, b in declared)
    detail = (f"{len(PANELS)} panels measured on their DXF files ("
              + "; ".join(f"{n} {w:.1f} x {h:.1f}" for n, (w, h) in sizes.items())
              + f" mm) each fit the declared stock sheet ({stock_txt} mm)"
              if not problems else "; ".join(problems) + f" (declared: {stock_txt} mm)")
    return {"ok": not problems, "detail": detail, "panels_mm": sizes}


def check_files(p: PlexiboxParams, files: dict[str, Path], meta: dict | None = None
                ) -> dict[str, dict]:
    """joints_mate, fits_stock and nested_sheets, measured on the cut files."""
    meta = metadata() if meta is None else meta
    sheets = [files[k] for k in sorted(files, key=lambda k: (len(k), k))
              if k.startswith("sheet-") and k.endswith(".dxf")]
    sheet = cutcheck.declared_sheet(meta, p.stock_width, p.stock_height) or \
        (float(p.stock_width), float(p.stock_height))
    panel_areas = [cutcheck.parts(files[f"{name}.dxf"])[0].area for name in PANELS]
    nested = cutcheck.check_sheets(sheets, sheet, p.kerf, panel_areas)
    return {"joints_mate": check_joints(p, files), "fits_stock": check_stock(p, files, meta),
            "nested_sheets": nested}


def checks(p: PlexiboxParams, result, files: dict[str, Path] | None = None) -> dict[str, dict]:
    """The assembled inside equals the parameters (on the B-rep), and the cut files'
    checks (`check_files`) on the files the engine wrote (or written here if None)."""
    parts = {name: panel_solid(p, name) for name in PANELS}
    bb = {n: s.BoundingBox() for n, s in parts.items()}
    inner = (bb["side-right"].xmin - bb["side-left"].xmax,
             bb["side-left"].ymax - bb["front"].ymax,
             bb["top"].zmin - min(b.zmin for b in bb.values()))
    want = (p.inner_width, p.inner_depth, p.inner_height)
    err = max(abs(a - b) for a, b in zip(inner, want))
    inside = {"ok": bool(err < 1e-6),
              "detail": (f"inside of the assembled box {inner[0]:.2f} x {inner[1]:.2f} x "
                         f"{inner[2]:.2f} mm (parameters {want[0]} x {want[1]} x {want[2]})"),
              "inner_mm": [round(v, 6) for v in inner]}
    if files is None:
        with tempfile.TemporaryDirectory() as tmp:
            return {"inner_size": inside, **check_files(p, export_files(p, Path(tmp)))}
    return {"inner_size": inside, **check_files(p, files)}


# ----------------------------- the rest of the contract (cad.contract.DesignModel)


# The contract's members this design has nothing to say for.
from cad.contract import (  # noqa: E402,F401
    no_interface as interface,
    no_preview as preview,
    one_unit as units,
)
