"""Write one solid to the four files a variant publishes: STL, GLB, SVG, STEP.

Each format serves someone different, so each gets its own tessellation:

* STL (printers): linear deflection 0.01 mm, absolute, and 0.1 rad (5.7 degrees)
  angular. 0.01 mm is below what a 0.4 mm nozzle or a 0.1 mm layer can show (slicers
  simplify to about 0.0125 mm anyway), so the mesh never limits the print; absolute
  rather than CadQuery's relative default, so a long headband arc is as smooth as a
  small peg.
* GLB (browser preview): 0.1 mm and 0.3 rad (17 degrees): about 10x fewer triangles,
  still smooth on screen, tens of kB per part. CadQuery has no direct GLB exporter, so it
  goes through an Assembly and OCCT's glTF writer, with faces merged into one mesh per
  part (CadQuery's own export writes one mesh per B-rep face: a finger-jointed panel
  became hundreds of meshes and a 550 kB file). Coordinates are in metres, glTF's unit
  (the writer converts from CadQuery's millimetres), +Y up: a viewer in augmented
  reality shows the part at its real size.
* SVG (drawing): top view and isometric view side by side, visible edges only, edges
  discretised to 0.05 mm (a tenth of a pixel on a 420 px view of a 200 mm part) and
  coordinates rounded to a thousandth of the part's size (0.01 mm at the finest,
  `drawing_decimals`), one <path> per group of edges, to keep the file
  small: a design page shows every
  variant's drawing, and stacks of headbands have many edges.
* STEP (people who edit): exact B-rep; the header timestamp and product name are fixed
  so the same model gives the same bytes.

Tessellations are made on copies without a mesh: OCCT keeps a shape's triangulation and
reuses any finer one, so meshing the same shape for STL first would bloat the GLB.
Every file is written atomically (temporary file, then rename).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from pathlib import Path
from typing import Iterator

import cadquery as cq
from cadquery.occ_impl.exporters import svg as cq_svg
from cadquery.occ_impl.exporters.assembly import toCAF
from OCP.BRepMesh import BRepMesh_IncrementalMesh
from OCP.Message import Message_ProgressRange
from OCP.RWGltf import RWGltf_CafWriter
from OCP.TCollection import TCollection_AsciiString
from OCP.TColStd import TColStd_IndexedDataMapOfStringString

from cad.fsutil import atomic_target

STL_TOLERANCE_MM = 0.01
STL_ANGULAR_RAD = 0.1
GLB_TOLERANCE_MM = 0.1
GLB_ANGULAR_RAD = 0.3
GLB_INPUT_UNIT_M = 0.001  #: one CadQuery unit (mm) in metres, glTF's unit
GLB_COLOR = (0.93, 0.55, 0.13, 1.0)  # an orange that reads well on light and dark pages
SVG_EDGE_TOLERANCE_MM = 0.05
SVG_VIEW_WIDTH_PX = 420
SVG_MARGIN_PX = 10
SVG_VIEWS = (("top", (0.0, 0.0, 1.0)), ("isometric", (1.0, -1.0, 1.0)))
STEP_TIMESTAMP = os.environ.get("USINE_STEP_TIMESTAMP", "2020-01-01T00:00:00")

FORMATS = ("stl", "glb", "svg", "step")


def as_shape(result: cq.Workplane | cq.Shape) -> cq.Shape:
    """The single shape a model's build returned (a Workplane's objects are combined
    into one compound); refuses a result holding no solid, since a wire-only workplane
    would export nothing and raise nothing."""
    if isinstance(result, cq.Workplane):
        shapes = [v for v in result.vals() if isinstance(v, cq.Shape)]
        if not shapes:
            raise ValueError("build returned a Workplane with no shape on its stack")
        shape = shapes[0] if len(shapes) == 1 else cq.Compound.makeCompound(shapes)
    elif isinstance(result, cq.Shape):
        shape = result
    else:
        raise TypeError(f"build must return a cadquery Workplane or Shape, not "
                        f"{type(result).__name__}")
    if not shape.Solids():
        raise ValueError("build returned no solid (only faces, wires or edges)")
    return shape


def _fresh(shape: cq.Shape) -> cq.Shape:
    return shape.copy(mesh=False)


def export_stl(shape: cq.Shape, path: str | os.PathLike) -> Path:
    """Binary STL for slicers, fine absolute tessellation (see module docstring)."""
    copy = _fresh(shape)
    with atomic_target(path) as tmp:
        if not copy.exportStl(str(tmp), STL_TOLERANCE_MM, STL_ANGULAR_RAD,
                              ascii=False, relative=False):
            raise OSError(f"STL writer failed for {path}")
    return Path(path)


def export_glb(shape: cq.Shape, path: str | os.PathLike, name: str = "part") -> Path:
    """Binary glTF for the site's 3D preview, coarse tessellation (see module docstring)."""
    copy = _fresh(shape)
    # Mesh first with absolute settings; the exporter keeps a triangulation that already
    # meets its tolerance instead of remeshing with relative (coarser on long edges) ones.
    BRepMesh_IncrementalMesh(copy.wrapped, GLB_TOLERANCE_MM, False, GLB_ANGULAR_RAD, True)
    assembly = cq.Assembly(copy, name=name, color=cq.Color(*GLB_COLOR))
    return _write_glb(assembly, path)


def _write_glb(assembly: cq.Assembly, path: str | os.PathLike) -> Path:
    """CadQuery's glTF export, with faces merged into one mesh per part."""
    with atomic_target(path) as tmp:
        # glTF is +Y up; CadQuery is +Z up (as cq.Assembly.export does).
        original = assembly.loc
        assembly.loc = original * cq.Location((0, 0, 0), (1, 0, 0), -90)
        try:
            _, doc = toCAF(assembly, True, True, GLB_TOLERANCE_MM, GLB_ANGULAR_RAD)
        finally:
            assembly.loc = original
        writer = RWGltf_CafWriter(TCollection_AsciiString(str(tmp)), True)
        writer.SetMergeFaces(True)
        # CadQuery works in millimetres, glTF in metres (the writer's output unit)
        writer.ChangeCoordinateSystemConverter().SetInputLengthUnit(GLB_INPUT_UNIT_M)
        if not writer.Perform(doc, TColStd_IndexedDataMapOfStringString(),
                              Message_ProgressRange()):
            raise OSError(f"glTF writer failed for {path}")
    return Path(path)


@contextlib.contextmanager
def _svg_edge_tolerance(tol: float) -> Iterator[None]:
    # CadQuery's SVG exporter discretises every edge at a fixed 1e-3 model units: fine
    # for a 10 mm part, hundreds of kB for a 250 mm headband. It reads a module global.
    old = cq_svg.DISCRETIZATION_TOLERANCE
    cq_svg.DISCRETIZATION_TOLERANCE = tol
    try:
        yield
    finally:
        cq_svg.DISCRETIZATION_TOLERANCE = old


_NUMBER = re.compile(r"-?\d+\.\d{2,}(?:e-?\d+)?")


_PATH_RUN = re.compile(r'(?:\s*<path d="[^"]*"\s*/>)+')
_PATH_DATA = re.compile(r'<path d="([^"]*)"')
_TRAILING_ZERO = re.compile(r"\.0\b")  # "506.0" -> "506"


def _round_numbers(text: str, decimals: int = 2) -> str:
    return _NUMBER.sub(lambda m: f"{float(m.group()):.{decimals}f}".rstrip("0").rstrip("."),
                       text)


def drawing_decimals(size_mm: float) -> int:
    """Decimals kept in a drawing's coordinates: a step of at most a thousandth of the
    part's size (under half a pixel on a 420 px view), 0.01 mm at the finest."""
    step = size_mm / 1000
    return max(0, min(2, -math.floor(math.log10(step)))) if step > 0 else 2


def _merge_paths(body: str, decimals: int = 2) -> str:
    """One <path> per run of edges instead of one per edge (same strokes, a third of the
    bytes): a finger-jointed box has thousands of edges."""
    def merged(run: re.Match) -> str:
        data = _round_numbers(" ".join(d.strip() for d in _PATH_DATA.findall(run.group())),
                              decimals)
        return f'\n<path d="{_TRAILING_ZERO.sub("", data)}" />'
    return _PATH_RUN.sub(merged, body)


def _view_svg(shape: cq.Shape, direction: tuple[float, float, float]) -> tuple[str, float, float]:
    opts = {"width": SVG_VIEW_WIDTH_PX, "height": None, "marginLeft": SVG_MARGIN_PX,
            "marginTop": SVG_MARGIN_PX, "projectionDir": direction, "showAxes": False,
            "showHidden": False, "strokeColor": (20, 20, 20)}
    with _svg_edge_tolerance(SVG_EDGE_TOLERANCE_MM):
        text = cq_svg.getSVG(shape, opts)
    width = float(re.search(r'width="([\d.]+)"', text).group(1))
    height = float(re.search(r'height="([\d.]+)"', text).group(1))
    body = text[text.index("<g"):text.rindex("</svg>")]
    # Only path data is rounded: the scale/translate transform needs its precision.
    box = shape.BoundingBox()
    return _merge_paths(body, drawing_decimals(max(box.xlen, box.ylen, box.zlen))), width, height


def svg_drawing(shape: cq.Shape) -> str:
    """An SVG drawing: the views of SVG_VIEWS side by side, hidden lines off."""
    parts, x, height = [], 0.0, 0.0
    for name, direction in SVG_VIEWS:
        body, w, h = _view_svg(shape, direction)
        parts.append(f'  <svg id="{name}" x="{x:.1f}" y="0" width="{w:.1f}" height="{h:.1f}">'
                     f"\n{body}\n  </svg>")
        x += w
        height = max(height, h)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{x:.1f}" height="{height:.1f}" '
            f'viewBox="0 0 {x:.1f} {height:.1f}">\n' + "\n".join(parts) + "\n</svg>\n")


def export_svg(shape: cq.Shape, path: str | os.PathLike) -> Path:
    """The drawing of `svg_drawing`, written atomically."""
    text = svg_drawing(shape)
    with atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


_STEP_STAMP = re.compile(r"(FILE_NAME\('[^']*',\s*)'[^']*'")
_STEP_PRODUCT = re.compile(r"'Open CASCADE STEP translator [0-9.]+ [0-9]+'")


def export_step(shape: cq.Shape, path: str | os.PathLike, name: str | None = None) -> Path:
    """STEP AP214 in millimetres. The header timestamp is fixed and the product is named
    after the part (OCCT numbers products with a per-process counter), so the same model
    gives the same bytes."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", name or Path(path).stem)
    with atomic_target(path) as tmp:
        cq.exporters.export(shape, str(tmp), exportType="STEP")
        text = tmp.read_text(encoding="utf-8", errors="surrogateescape")
        text = _STEP_STAMP.sub(rf"\g<1>'{STEP_TIMESTAMP}'", text, count=1)
        text = _STEP_PRODUCT.sub(f"'{name}'", text)
        tmp.write_text(text, encoding="utf-8", errors="surrogateescape")
    return Path(path)


def export_all(shape: cq.Shape, out_dir: str | os.PathLike, stem: str,
               preview: cq.Assembly | None = None) -> dict[str, Path]:
    """All four files as `<out_dir>/<stem>.<ext>`; returns {ext: path}. preview: an
    Assembly to write as the GLB instead of the shape (a lighter view of the same part,
    e.g. a stack as instances of one band)."""
    out_dir = Path(out_dir)
    glb = out_dir / f"{stem}.glb"
    return {
        "stl": export_stl(shape, out_dir / f"{stem}.stl"),
        "glb": export_glb(shape, glb, name=stem) if preview is None
        else export_assembly_glb(preview, glb),
        "svg": export_svg(shape, out_dir / f"{stem}.svg"),
        "step": export_step(shape, out_dir / f"{stem}.step", name=stem),
    }


# ---------------------------------------------------------------- assemblies

def assembly_shape(assembly: cq.Assembly) -> tuple[cq.Shape, list[tuple[str, cq.Solid]]]:
    """(one compound of every part at its place, [(part name, solid)]) of an Assembly."""
    compound = assembly.toCompound()
    parts: list[tuple[str, cq.Solid]] = []
    for name, sub in assembly.traverse():
        if sub.obj is None:
            continue
        obj = sub.obj.val() if isinstance(sub.obj, cq.Workplane) else sub.obj
        if isinstance(obj, cq.Shape):
            for i, solid in enumerate(obj.Solids()):
                parts.append((name if i == 0 else f"{name}.{i}", solid))
    if not compound.Solids():
        raise ValueError("build returned an Assembly with no solid")
    return compound, parts


def export_assembly_glb(assembly: cq.Assembly, path: str | os.PathLike) -> Path:
    """An Assembly as binary glTF (its colours; a part added several times is written
    once and instanced)."""
    return _write_glb(assembly, path)


def export_assembly(assembly: cq.Assembly, shape: cq.Shape, out_dir: str | os.PathLike,
                    stem: str) -> dict[str, Path]:
    """A multi-part preview: GLB (the assembly with its colours), SVG and STEP of the
    compound (no STL: each part is printed or cut from its own variant)."""
    out_dir = Path(out_dir)
    glb = export_assembly_glb(assembly, out_dir / f"{stem}.glb")
    return {"glb": glb,
            "svg": export_svg(shape, out_dir / f"{stem}.svg"),
            "step": export_step(shape, out_dir / f"{stem}.step", name=stem)}
