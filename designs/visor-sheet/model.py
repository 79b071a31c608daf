"""Face-shield sheet: the clear PET/PETG shield, punched to carry on a headband's pegs.

A rectangle of `sheet_size` (A4 297 x 210 mm or US Letter 279.4 x 215.9 mm, used
landscape: the long edge is punched) with rounded corners of `corner_radius`, and holes
of `hole_diameter` placed by a punch pattern of cad.patterns: hole centres at the
pattern's offsets from the sheet's centre line, `top_distance` below the top edge.

Outputs, besides the 3D preview of a sheet `thickness` thick:

- `cut` profile: a DXF for the laser (outline and holes, closed contours, layer CUT,
  arcs, millimetres). Origin at the sheet's lower left corner, top edge at y = height.
- `template.svg`: a 1:1 drawing at the sheet's own size (print at 100 %, "actual
  size"), with the outline, every hole with a cross at its centre, the centre line and a
  100 mm scale bar with 10 mm ticks: measure it with a ruler before punching.
- `template-a4.pdf`, `template-letter.pdf`: the same punch template as a PDF on A4 and on
  US Letter paper (landscape, exact mm to pt scale), with the 100 mm check bar and the
  pattern's name: the sheet is laid over the printed top edge and centre line.

A sheet too small for its pattern (holes within EDGE_MIN of an edge or corner) is
refused with a ValueError naming the field, the value and the allowed range.
"""

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cadquery as cq

from cad import cutcheck, dxf
from cad.fsutil import atomic_write_text
from cad.params import Params, param
from cad.patterns import SHEET_PATTERNS, SHEET_SIZES, SheetPattern

EDGE_MIN = 3.0  #: mm of sheet kept between a hole's edge and the sheet's edge
MIN_HEIGHT_BELOW = 100.0  #: mm of shield below the holes, at least (covers the face)
SCALE_BAR_MM = 100.0  #: length of the template's scale bar


@dataclass(frozen=True)
class VisorSheetParams(Params):
    """Parameters of the shield sheet (millimetres)."""

    sheet_size: str = param(
        "a4", unit="", choices=("a4", "letter", "custom"), title="Sheet size",
        doc="a4 = 297 x 210 mm, letter = 279.4 x 215.9 mm (US Letter), both punched "
            "along the long edge; custom = custom_width x custom_height.")
    sheet_pattern: str = param(
        "eu-888", unit="", choices=tuple(SHEET_PATTERNS), title="Punch pattern",
        doc="Hole pattern (see the pattern table): eu-888, eu-iso838, se-8 (A4 "
            "patterns), us-3, us-6 (Letter patterns); any pattern may be cut on any "
            "sheet it fits.")
    hole_diameter: float = param(
        6.0, min=4.0, max=10.0, title="Hole diameter",
        doc="Diameter of the holes. 6 mm is the usual office punch; hand punches "
            "range from 6.4 to 7.9 mm (1/4 to 5/16 in). Headband pegs are 0.2 to 1 mm "
            "smaller.")
    corner_radius: float = param(
        10.0, min=0.0, max=40.0, title="Corner radius",
        doc="Radius of the sheet's four rounded corners (no sharp corner near the "
            "neck); 0 for square corners.")
    thickness: float = param(
        0.5, min=0.2, max=1.0, title="Sheet thickness",
        doc="Thickness of the PET or PETG sheet, for the 3D preview only (0.25 to "
            "0.5 mm is usual).")
    custom_width: float = param(
        297.0, min=100.0, max=600.0, title="Custom width",
        doc="Sheet width along the punched edge when sheet_size is custom.")
    custom_height: float = param(
        210.0, min=100.0, max=400.0, title="Custom height",
        doc="Sheet height (from the punched edge down) when sheet_size is custom.")

    @property
    def pattern(self) -> SheetPattern:
        return SHEET_PATTERNS[self.sheet_pattern]

    @property
    def size(self) -> tuple[float, float]:
        if self.sheet_size == "custom":
            return self.custom_width, self.custom_height
        return SHEET_SIZES[self.sheet_size]

    @property
    def hole_centres(self) -> list[tuple[float, float]]:
        """Hole centres in the profile's frame (origin at the lower left corner)."""
        w, h = self.size
        y = h - self.pattern.top_distance
        return [(w / 2 + o, y) for o in self.pattern.offsets]

    def validate(self) -> None:
        w, h = self.size
        pat, r = self.pattern, self.hole_diameter / 2
        field = "custom_width" if self.sheet_size == "custom" else "sheet_size"
        need_w = 2 * (pat.outermost + r + EDGE_MIN)
        if w < need_w - 1e-9:
            self.fail(field, f"a sheet at least {need_w:g} mm wide for the {pat.name} "
                      f"pattern (outermost holes at ±{pat.outermost:g} mm); this one is "
                      f"{w:g} mm wide")
        need_h = pat.top_distance + r + MIN_HEIGHT_BELOW
        if h < need_h - 1e-9:
            field_h = "custom_height" if self.sheet_size == "custom" else "sheet_size"
            self.fail(field_h, f"a sheet at least {need_h:g} mm high: holes "
                      f"{pat.top_distance:g} mm from the top and {MIN_HEIGHT_BELOW:g} mm of "
                      f"shield below them; this one is {h:g} mm high")
        if pat.top_distance - r < EDGE_MIN - 1e-9:
            self.fail("hole_diameter", f"at most {2 * (pat.top_distance - EDGE_MIN):g} mm "
                      f"to leave {EDGE_MIN:g} mm above the holes")
        if 0 < self.corner_radius < 0.5 or self.corner_radius > min(w, h) / 2 - 1:
            self.fail("corner_radius", f"0 (square corners) or from 0.5 to "
                      f"{min(w, h) / 2 - 1:g} mm")
        worst = min(_inside_distance(c, w, h, self.corner_radius) for c in self.hole_centres)
        if worst < r + EDGE_MIN - 1e-9:
            hi = _largest_corner(self)
            self.fail("corner_radius", f"from 0 to {hi:.1f} mm for the {pat.name} pattern on "
                      f"this sheet: a larger corner comes within {EDGE_MIN:g} mm of a hole")


def _inside_distance(c, w, h, radius) -> float:
    """Distance from point c inside a w x h rectangle with rounded corners (origin at
    its lower left) to its outline (closed form of the rounded-box distance)."""
    qx = abs(c[0] - w / 2) - (w / 2 - radius)
    qy = abs(c[1] - h / 2) - (h / 2 - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return -(outside + min(max(qx, qy), 0.0) - radius)


def _largest_corner(p: VisorSheetParams) -> float:
    w, h = p.size
    r = p.hole_diameter / 2
    lo, hi = 0.0, min(w, h) / 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if min(_inside_distance(c, w, h, mid) for c in p.hole_centres) >= r + EDGE_MIN:
            lo = mid
        else:
            hi = mid
    return lo


PARAMS = VisorSheetParams


def outline(p: VisorSheetParams) -> cq.Sketch:
    """The sheet as a face: rounded rectangle less the holes (profile frame)."""
    w, h = p.size
    sk = cq.Sketch().push([(w / 2, h / 2)]).rect(w, h)
    if p.corner_radius > 0:
        sk = sk.reset().vertices().fillet(p.corner_radius)
    return sk.reset().push(p.hole_centres).circle(p.hole_diameter / 2, mode="s").reset()


def profiles(p: VisorSheetParams) -> dict:
    return {"cut": outline(p)}


def build(p: VisorSheetParams) -> cq.Workplane:
    """The sheet as a thin plate (preview), lying on z = 0."""
    return cq.Workplane("XY").placeSketch(outline(p)).extrude(p.thickness)


def measured_holes(p: VisorSheetParams, path: Path | None = None
                   ) -> tuple[list[float], list[float]]:
    """(offsets from the centre line, diameters) of the circles of the cut DXF at `path`
    (written from the profile if None), the centre line being the middle of the sheet's
    outline as found in the same file."""
    if path is None:
        with tempfile.TemporaryDirectory() as tmp:
            return measured_holes(p, dxf.export_dxf(outline(p), Path(tmp) / "cut.dxf"))
    x0, _, x1, _ = cutcheck.parts(path)[0].bounds
    mid = (x0 + x1) / 2
    found = cutcheck.circles(path)
    return [cx - mid for cx, _, _ in found], [2 * r for _, _, r in found]


def interface(p: VisorSheetParams, result, files: dict | None = None) -> dict:
    """The holes, measured on the cut DXF, for the fit check (cad.fit)."""
    offsets, diameters = measured_holes(p, (files or {}).get("cut.dxf"))
    return {"kind": "holes", "pattern": p.sheet_pattern,
            "positions_mm": [round(o, 4) for o in offsets],
            "diameter_mm": round(min(diameters), 4) if diameters else 0.0}


#: mm, accepted error on a hole's centre or a sheet's size in the cut file
FILE_TOLERANCE_MM = 0.01


def check_file(p: VisorSheetParams, path: Path) -> dict:
    """The cut DXF against the punch pattern (cad.patterns, from the reference's table):
    every hole at the pattern's offset from the sheet's centre line and at its distance
    from the punched edge, and the sheet the size of its paper format."""
    pat = p.pattern
    x0, y0, x1, y1 = cutcheck.parts(path)[0].bounds
    w, h = x1 - x0, y1 - y0
    found = cutcheck.circles(path)
    offsets = [cx - (x0 + x1) / 2 for cx, _, _ in found]
    tops = [y1 - cy for _, cy, _ in found]
    want = sorted(pat.offsets)
    problems = []
    if len(offsets) != len(want):
        problems.append(f"{len(offsets)} holes for the {len(want)} of the pattern")
    else:
        err = max(abs(a - b) for a, b in zip(offsets, want))
        if err > FILE_TOLERANCE_MM:
            problems.append(f"a hole {err:.3f} mm off the pattern's offsets")
    top_err = max((abs(t - pat.top_distance) for t in tops), default=0.0)
    if top_err > FILE_TOLERANCE_MM:
        problems.append(f"holes {min(tops):.2f} to {max(tops):.2f} mm from the punched edge "
                        f"(pattern {pat.top_distance:g} mm)")
    if p.sheet_size != "custom":
        fw, fh = SHEET_SIZES[p.sheet_size]
        if abs(w - fw) > FILE_TOLERANCE_MM or abs(h - fh) > FILE_TOLERANCE_MM:
            problems.append(f"sheet {w:.2f} x {h:.2f} mm, not {p.sheet_size} {fw:g} x {fh:g}")
    ok = not problems
    detail = (f"measured on the cut DXF: {w:.1f} x {h:.1f} mm sheet, {len(offsets)} holes "
              f"Ø {min((2 * r for *_, r in found), default=0):g} mm at "
              + ", ".join(f"{o:+g}" for o in offsets)
              + f" mm from the centre line, {min(tops, default=0):g} mm below the punched "
              f"edge ({pat.title}: " + ", ".join(f"{o:+g}" for o in want)
              + f" mm, {pat.top_distance:g} mm)") if ok else "; ".join(problems)
    return {"ok": ok, "detail": detail, "measured_mm": [round(o, 4) for o in offsets]}


def checks(p: VisorSheetParams, result, files: dict | None = None) -> dict:
    """hole_positions (`check_file`) on the cut DXF the engine wrote (or written here)."""
    if files is None:
        with tempfile.TemporaryDirectory() as tmp:
            return {"hole_positions": check_file(
                p, dxf.export_dxf(outline(p), Path(tmp) / "cut.dxf"))}
    return {"hole_positions": check_file(p, files["cut.dxf"])}


# ------------------------------------------------------------------ template

def template_svg(p: VisorSheetParams) -> str:
    """A 1:1 SVG template (width and height in mm, y down from the top edge)."""
    w, h = p.size
    pat, R = p.pattern, p.corner_radius
    r = p.hole_diameter / 2
    f = lambda v: f"{v:.3f}".rstrip("0").rstrip(".")  # noqa: E731
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{f(w)}mm" height="{f(h)}mm" '
        f'viewBox="0 0 {f(w)} {f(h)}" font-family="sans-serif">',
        f"<title>Punching template: {pat.title}, {p.sheet_size} sheet, holes Ø "
        f"{p.hole_diameter:g} mm</title>",
        f'<rect id="outline" x="0" y="0" width="{f(w)}" height="{f(h)}" rx="{f(R)}" '
        f'ry="{f(R)}" fill="none" stroke="#000" stroke-width="0.3"/>',
        f'<line id="centre-line" x1="{f(w / 2)}" y1="0" x2="{f(w / 2)}" y2="{f(h)}" '
        'stroke="#888" stroke-width="0.2" stroke-dasharray="4 2"/>',
    ]
    for (x, y_up) in p.hole_centres:
        y = h - y_up
        out.append(f'<g class="hole"><circle cx="{f(x)}" cy="{f(y)}" r="{f(r)}" fill="none" '
                   'stroke="#000" stroke-width="0.25"/>'
                   f'<line x1="{f(x - r - 2)}" y1="{f(y)}" x2="{f(x + r + 2)}" y2="{f(y)}" '
                   'stroke="#c00" stroke-width="0.15"/>'
                   f'<line x1="{f(x)}" y1="{f(y - r - 2)}" x2="{f(x)}" y2="{f(y + r + 2)}" '
                   'stroke="#c00" stroke-width="0.15"/></g>')
    # 100 mm scale bar with 10 mm ticks, in the middle of the sheet
    x0, yb = (w - SCALE_BAR_MM) / 2, h / 2
    bar = [f'<g id="scale-bar"><line x1="{f(x0)}" y1="{f(yb)}" x2="{f(x0 + SCALE_BAR_MM)}" '
           f'y2="{f(yb)}" stroke="#000" stroke-width="0.4"/>']
    for k in range(11):
        tick = 4 if k in (0, 5, 10) else 2
        xt = x0 + 10 * k
        bar.append(f'<line x1="{f(xt)}" y1="{f(yb - tick)}" x2="{f(xt)}" y2="{f(yb)}" '
                   'stroke="#000" stroke-width="0.3"/>')
    bar.append(f'<text x="{f(w / 2)}" y="{f(yb + 6)}" font-size="4" text-anchor="middle">'
               f"{SCALE_BAR_MM:g} mm: measure it; print again at 100 % (actual size) if it "
               "is not</text></g>")
    out += bar
    out.append(f'<text x="{f(w / 2)}" y="{f(yb + 20)}" font-size="5" text-anchor="middle">'
               f"{pat.title}: holes Ø {p.hole_diameter:g} mm, centres "
               f"{pat.top_distance:g} mm below the top edge, at "
               + ", ".join(f"{o:+g}" for o in pat.offsets) + " mm from the centre line</text>")
    out.append(f'<text x="{f(w / 2)}" y="{f(yb + 28)}" font-size="4" text-anchor="middle">'
               "Lay the clear sheet on this page, edges aligned; punch or drill at each "
               "cross.</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


#: mm from the paper's top edge to the sheet's top edge on a PDF template (inside any
#: printer's unprintable margin, so the edge line prints)
PDF_TOP_MM = 12.0
#: paper formats a PDF template is offered on (landscape: the punched edge along the long side)
PDF_PAPERS = ("a4", "letter")


def template_pdf(p: VisorSheetParams, paper: str) -> bytes:
    """A 1:1 punch template on `paper` (a4 or letter, landscape), for printing at 100 %.

    The clear sheet is laid over the page, its top edge on the drawn top edge and its
    middle on the centre line, so the same template works whatever paper it is printed
    on (a sheet wider than the paper runs past its sides; the holes always fit). Marked
    content: /SheetOutline, /CentreLine, /Hole (circle then cross), /ScaleBar (the 100 mm
    bar first, then its ticks)."""
    from cad.pdf import PAPER_MM, Page, pdf_bytes

    pw, ph = sorted(PAPER_MM[paper], reverse=True)  # landscape
    w, h = p.size
    pat, r = p.pattern, p.hole_diameter / 2
    cx, top = pw / 2, ph - PDF_TOP_MM
    x0 = cx - w / 2
    page = Page(pw, ph)
    page.begin("SheetOutline").stroke(0.3).rounded_rect(x0, top - h, w, h,
                                                      p.corner_radius).end()
    page.begin("CentreLine").stroke(0.2, grey=0.5, dash_mm=(4, 2)).line(
        cx, top, cx, top - pat.top_distance - 40).end()
    for hx, hy in p.hole_centres:  # profile frame: origin at the sheet's lower left
        x, y = x0 + hx, top - (h - hy)
        page.begin("Hole").stroke(0.25).circle(x, y, r).stroke(0.15, rgb=(0.8, 0, 0))
        page.line(x - r - 2, y, x + r + 2, y).line(x, y - r - 2, x, y + r + 2).end()
    yb, bx = ph / 2 - 10, cx - SCALE_BAR_MM / 2
    page.begin("ScaleBar").stroke(0.4).line(bx, yb, bx + SCALE_BAR_MM, yb).stroke(0.3)
    for k in range(11):
        page.line(bx + 10 * k, yb, bx + 10 * k, yb + (4 if k in (0, 5, 10) else 2))
    page.end()
    page.text(cx, yb - 6, 9, f"{SCALE_BAR_MM:g} mm: measure this bar. If it is not "
              f"{SCALE_BAR_MM:g} mm, print again at 100 % (actual size, no fit to page).",
              centred=True)
    page.text(cx, yb - 18, 12, f"Punch template: {pat.title}", centred=True)
    page.text(cx, yb - 25, 9, f"{pat.name}, {p.sheet_size} sheet ({w:g} x {h:g} mm), holes "
              f"\u00d8 {p.hole_diameter:g} mm, centres {pat.top_distance:g} mm below the top "
              f"edge at " + ", ".join(f"{o:+g}" for o in pat.offsets) + " mm",
              centred=True)
    page.text(cx, yb - 32, 9, "Lay the clear sheet over this page: its top edge on the "
              "top line, its middle on the dashed centre line. Punch or drill at each cross.",
              centred=True)
    page.text(cx, yb - 39, 8, f"Printed on {paper.upper()} paper; the page shows the "
              "sheet at its real size, so any paper works.", centred=True)
    return pdf_bytes([page], title=f"Punch template: {pat.title} ({p.sheet_size} sheet)")


def extra_files(p: VisorSheetParams, result, folder: Path, stem: str) -> dict:
    from cad.fsutil import atomic_target

    path = atomic_write_text(Path(folder) / f"{stem}.template.svg", template_svg(p))
    files = {"template.svg": path}
    for paper in PDF_PAPERS:
        pdf = Path(folder) / f"{stem}.template-{paper}.pdf"
        with atomic_target(pdf) as tmp:
            tmp.write_bytes(template_pdf(p, paper))
        files[f"template-{paper}.pdf"] = pdf
    return files


# ----------------------------- the rest of the contract (cad.contract.DesignModel)


# The contract's members this design has nothing to say for.
from cad.contract import (  # noqa: E402,F401
    no_figures as figures,
    no_preview as preview,
    one_unit as units,
)
