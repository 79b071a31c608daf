"""A minimal PDF writer for 1:1 drawings on paper: lines, circles, text, in millimetres.

No dependency: a page is one uncompressed content stream in PDF points, with exact
scaling 1 mm = 72 / 25.4 pt, so a template prints at its real size when printed at
100 % ("actual size"). Drawing groups can be tagged as marked content (`BMC`/`EMC`,
e.g. /ScaleBar, /Hole) so a test reads back what was drawn. Text uses the standard
Helvetica font (no embedding), Latin-1 only. The same drawing gives the same bytes.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from cad.fsutil import atomic_target

PT_PER_MM = 72 / 25.4
#: paper sizes in mm (portrait width, height)
PAPER_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
#: control-point distance of a cubic Bezier quarter circle, as a fraction of the radius
KAPPA = 4 * (math.sqrt(2) - 1) / 3


def pt(mm: float) -> float:
    return mm * PT_PER_MM


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text_literal(text: str) -> str:
    raw = text.encode("latin-1", errors="replace").decode("latin-1")
    return "(" + raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


class Page:
    """One page of `width` x `height` mm; coordinates in mm from its lower left corner."""

    def __init__(self, width_mm: float, height_mm: float) -> None:
        self.width, self.height = width_mm, height_mm
        self.ops: list[str] = []

    def stroke(self, width_mm: float = 0.3, grey: float = 0.0,
               rgb: tuple[float, float, float] | None = None,
               dash_mm: tuple[float, ...] = ()) -> "Page":
        colour = " ".join(_num(c) for c in rgb) + " RG" if rgb else f"{_num(grey)} G"
        dash = "[" + " ".join(_num(pt(d)) for d in dash_mm) + "] 0 d"
        self.ops.append(f"{_num(pt(width_mm))} w {colour} {dash}")
        return self

    def line(self, x0: float, y0: float, x1: float, y1: float) -> "Page":
        self.ops.append(f"{_num(pt(x0))} {_num(pt(y0))} m {_num(pt(x1))} {_num(pt(y1))} l S")
        return self

    def circle(self, cx: float, cy: float, r: float) -> "Page":
        """Four cubic Beziers (error under 0.03 % of the radius)."""
        k = KAPPA * r
        p = lambda x, y: f"{_num(pt(x))} {_num(pt(y))}"  # noqa: E731
        self.ops.append(
            f"{p(cx + r, cy)} m "
            f"{p(cx + r, cy + k)} {p(cx + k, cy + r)} {p(cx, cy + r)} c "
            f"{p(cx - k, cy + r)} {p(cx - r, cy + k)} {p(cx - r, cy)} c "
            f"{p(cx - r, cy - k)} {p(cx - k, cy - r)} {p(cx, cy - r)} c "
            f"{p(cx + k, cy - r)} {p(cx + r, cy - k)} {p(cx + r, cy)} c h S")
        return self

    def rounded_rect(self, x: float, y: float, w: float, h: float, r: float) -> "Page":
        if r <= 0:
            self.ops.append(f"{_num(pt(x))} {_num(pt(y))} {_num(pt(w))} {_num(pt(h))} re S")
            return self
        k = KAPPA * r
        p = lambda a, b: f"{_num(pt(a))} {_num(pt(b))}"  # noqa: E731
        x1, y1 = x + w, y + h
        self.ops.append(
            f"{p(x + r, y)} m {p(x1 - r, y)} l {p(x1 - r + k, y)} {p(x1, y + r - k)} {p(x1, y + r)} c "
            f"{p(x1, y1 - r)} l {p(x1, y1 - r + k)} {p(x1 - r + k, y1)} {p(x1 - r, y1)} c "
            f"{p(x + r, y1)} l {p(x + r - k, y1)} {p(x, y1 - r + k)} {p(x, y1 - r)} c "
            f"{p(x, y + r)} l {p(x, y + r - k)} {p(x + r - k, y)} {p(x + r, y)} c h S")
        return self

    def text(self, x: float, y: float, size_pt: float, text: str,
             centred: bool = False) -> "Page":
        """Text whose baseline starts at (x, y) mm (centred: approximately, on x)."""
        if centred:  # Helvetica's mean advance is about 0.5 em
            x -= len(text) * 0.5 * size_pt / PT_PER_MM / 2
        self.ops.append(f"BT /F1 {_num(size_pt)} Tf 0 g {_num(pt(x))} {_num(pt(y))} Td "
                        f"{_text_literal(text)} Tj ET")
        return self

    def begin(self, tag: str) -> "Page":
        self.ops.append(f"/{tag} BMC")
        return self

    def end(self) -> "Page":
        self.ops.append("EMC")
        return self

    def content(self) -> bytes:
        return ("\n".join(self.ops) + "\n").encode("latin-1")


def pdf_bytes(pages: list[Page], title: str = "") -> bytes:
    """A PDF 1.4 file of `pages` (MediaBox in pt, uncompressed streams)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the pages object number is known
    pages_obj = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>")
    info = add(f"<< /Title {_text_literal(title)} /Producer (Usine cad.pdf) >>"
               .encode("latin-1", errors="replace"))
    kids = []
    for page in pages:
        stream = page.content()
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
        box = f"[0 0 {_num(pt(page.width))} {_num(pt(page.height))}]"
        kids.append(add(f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox {box} "
                        f"/Resources << /Font << /F1 {font} 0 R >> >> "
                        f"/Contents {content} 0 R >>".encode()))
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode()
    objects[pages_obj - 1] = (f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
                              f"/Count {len(kids)} >>").encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, catalog, info, xref))
    return bytes(out)


def write_pdf(path: str | os.PathLike, pages: list[Page], title: str = "") -> Path:
    data = pdf_bytes(pages, title)
    with atomic_target(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
