"""The four exporters: files exist, are readable, carry the right geometry, and are
written atomically."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import cadquery as cq
import pytest
import trimesh

from cad import export
from cad.export import as_shape, export_all, export_step
from cad.fsutil import atomic_target, sha256_file


@pytest.fixture(scope="module")
def part() -> cq.Shape:
    """20 x 10 x 5 block with a 4 mm hole, resting on z=0."""
    wp = cq.Workplane().box(20, 10, 5, centered=(True, True, False)).faces(">Z").workplane().hole(4)
    return as_shape(wp)


def test_export_all_writes_four_readable_files(part, tmp_path):
    files = export_all(part, tmp_path / "out", "v1")
    assert {k: p.name for k, p in files.items()} == {
        "stl": "v1.stl", "glb": "v1.glb", "svg": "v1.svg", "step": "v1.step"}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == \
        ["v1.glb", "v1.step", "v1.stl", "v1.svg"]  # no temporary files left

    stl = trimesh.load(files["stl"])
    assert stl.is_watertight and stl.volume == pytest.approx(part.Volume(), rel=1e-3)
    assert stl.bounds.ravel().tolist() == pytest.approx([-10, -5, 0, 10, 5, 5], abs=1e-6)

    glb = trimesh.load(files["glb"], force="mesh")
    assert len(glb.faces) < len(stl.faces)  # preview is coarser than the print mesh
    # metres, glTF's unit, +Y up: the block standing on z = 0 stands on y = 0
    assert glb.bounds.ravel().tolist() == pytest.approx(
        [-0.010, 0.0, -0.005, 0.010, 0.005, 0.005], abs=1e-6)

    svg = ET.parse(files["svg"]).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert [v.get("id") for v in svg.findall("s:svg", ns)] == ["top", "isometric"]
    assert svg.findall(".//s:path", ns)
    assert "stroke-dasharray" not in files["svg"].read_text() or \
        not svg.findall(".//s:g[@stroke-dasharray]/s:path", ns)  # hidden lines off

    step = cq.importers.importStep(str(files["step"]))
    assert step.val().Volume() == pytest.approx(part.Volume(), rel=1e-9)


def test_step_is_reproducible(part, tmp_path):
    a = export_step(part, tmp_path / "a.step", name="part")
    b = export_step(part, tmp_path / "b.step", name="part")
    assert sha256_file(a) == sha256_file(b)
    text = a.read_text()
    assert export.STEP_TIMESTAMP in text and re.search(r"PRODUCT\('part',\s*'part'", text)


def test_stl_is_fine_on_curves(tmp_path):
    cylinder = as_shape(cq.Workplane().circle(40).extrude(5))
    mesh = trimesh.load(export.export_stl(cylinder, tmp_path / "c.stl"))
    exact = 3.141592653589793 * 40 ** 2 * 5
    assert mesh.volume == pytest.approx(exact, rel=5e-4)


def test_as_shape_refuses_no_solid():
    with pytest.raises(ValueError, match="no solid"):
        as_shape(cq.Workplane().rect(10, 10))  # wire only: would export nothing
    with pytest.raises(ValueError, match="no shape"):
        as_shape(cq.Workplane())
    with pytest.raises(TypeError, match="not int"):
        as_shape(3)


def test_atomic_target_keeps_old_file_on_failure(tmp_path):
    path = tmp_path / "x.stl"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_target(path) as tmp:
            tmp.write_text("half")
            raise RuntimeError("exporter crashed")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.stl"]


def test_svg_draws_every_visible_edge_in_one_path_per_group():
    # A plate with 4 holes: the top view shows 4 outline edges and 4 circles.
    plate = (cq.Workplane("XY").box(60, 40, 3)
             .faces(">Z").workplane().rarray(30, 20, 2, 2).hole(6))
    drawing = export.svg_drawing(as_shape(plate))
    ET.fromstring(drawing)  # still well-formed
    top = drawing[drawing.index('id="top"'):drawing.index('id="isometric"')]

    paths = re.findall(r'<path d="([^"]*)"', top)
    assert len(paths) == 1, "the visible edges of a view are merged into one path"
    # Every edge is still drawn: one move-to per edge (the 4 sides and 4 circles at least).
    assert paths[0].count("M") >= 8
    assert ".0 " not in paths[0] and not re.search(r"\d\.\d{3,}", paths[0])


def test_assembly_glb_has_one_mesh_per_part(tmp_path):
    # CadQuery's own glTF export writes one mesh per B-rep face (6 for a box).
    assembly = cq.Assembly().add(cq.Workplane().box(10, 10, 10), name="a") \
        .add(cq.Workplane().sphere(4).translate((20, 0, 0)), name="b")
    path = export.export_assembly_glb(assembly, tmp_path / "two.glb")
    scene = trimesh.load(path)
    assert len(scene.geometry) == 2
    # The box's six faces arrive as one mesh of 12 triangles.
    assert sorted(len(g.faces) for g in scene.geometry.values())[0] == 12
    # in metres: from the box's -5 mm face to the sphere's far side at 24 mm
    assert scene.bounds[:, 0].tolist() == pytest.approx([-0.005, 0.024], abs=1e-4)


@pytest.mark.parametrize("size, decimals", [(5, 2), (99, 2), (100, 1), (500, 1), (1500, 0)])
def test_drawing_precision_follows_the_part_size(size, decimals):
    # A step of at most size/1000: under half a pixel on a 420 px wide view.
    assert export.drawing_decimals(size) == decimals
    assert 10 ** -decimals <= max(size / 1000, 0.01)
