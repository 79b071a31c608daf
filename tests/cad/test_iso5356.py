"""ISO 5356-1 cones: the table, the 1:40 taper, and the exported STL measured like a
gauge (cad.gauge), so the file a printer receives is what is checked."""

from __future__ import annotations

import math

import cadquery as cq
import numpy as np
import pytest

from cad import gauge, iso5356
from cad.export import export_stl

SIZES = sorted(iso5356.CONES)
GAUGE_TOL = 0.05  # mm, on a diameter (the tolerance)
BASE = 3.0  # mm of straight base under each male cone
FLOOR = 2.0  # mm of floor under each female socket


def test_table_lists_22_and_15_male_and_female():
    rows = iso5356.sizes()
    assert {(r["size"], r["sex"]) for r in rows} == {(22, "male"), (22, "female"),
                                                    (15, "male"), (15, "female")}
    assert all(r["source"] and r["taper"] == "1:40" for r in rows)


def test_22mm_figures_from_the_sources():
    c = iso5356.cone(22)
    # [R]: male 21.99 at the tip, 22.52 at the base, 21 mm long; 22.37 at 15 mm
    assert c.male_tip_diameter == pytest.approx(21.995, abs=1e-9)
    assert round(c.male_tip_diameter, 2) in (21.99, 22.0)
    assert c.male_base_diameter == pytest.approx(22.52, abs=1e-9)
    assert c.male_diameter(15.0) == pytest.approx(22.37, abs=1e-9)
    assert c.female_mouth_diameter == 22.37 and c.female_depth >= 21.0


def test_15mm_figures_from_the_sources():
    c = iso5356.cone(15)
    assert c.reference_diameter == 15.47 and c.male_length == 16.0 and c.female_depth == 16.0
    assert c.male_tip_diameter == pytest.approx(15.47 - 10 / 40, abs=1e-9)


@pytest.mark.parametrize("size", SIZES)
def test_taper_is_1_in_40_on_the_diameter(size):
    c = iso5356.cone(size)
    assert c.taper == 1 / 40
    assert (c.male_base_diameter - c.male_tip_diameter) / c.male_length == pytest.approx(1 / 40)
    assert (c.female_mouth_diameter - c.female_bottom_diameter) / c.female_depth == \
        pytest.approx(1 / 40)
    # half-angle of a 1:40 cone: atan(1/80) = 0.716 degrees
    assert math.degrees(math.atan(c.taper / 2)) == pytest.approx(0.7162, abs=1e-4)


#: The standard's engagement depths, as the two sources give them (not the module's
#: table): 22 mm engages at least 15 mm [R][M]; 15 mm engages 10 mm ([M] only).
STANDARD_ENGAGEMENT = {22: 15.0, 15: 10.0}
#: The standard's 22 mm male cone [R]: 21.99 at the tip, 22.52 at the base, 21 mm long.
STANDARD_22_MALE = (21.99, 22.52, 21.0)


@pytest.mark.parametrize("size", SIZES)
def test_pair_engages_at_the_standard_depth_closed_form(size):
    depth = iso5356.engagement_depth(size, size)
    assert depth == pytest.approx(STANDARD_ENGAGEMENT[size], abs=1e-9)
    c = iso5356.cone(size)
    # there the male's diameter (engagement from its tip, at the mouth) equals the mouth's
    assert c.male_diameter(depth) == pytest.approx(c.female_diameter(0.0), abs=1e-12)
    # and the male's tip sits inside the female's taper, not on its bottom
    assert depth < c.female_depth and depth < c.male_length


def test_mismatched_sizes_do_not_engage():
    with pytest.raises(ValueError, match="does not wedge"):
        iso5356.engagement_depth(22, 15)
    with pytest.raises(ValueError, match="does not wedge"):
        iso5356.engagement_depth(15, 22)


def test_bad_size_and_sex_name_the_value():
    with pytest.raises(ValueError, match=r"size = 19 is not allowed: one of 22, 15"):
        iso5356.cone(19)
    with pytest.raises(ValueError, match="sex = 'other'"):
        iso5356.cone(22).gauge_points("other")
    with pytest.raises(ValueError, match="x = 30"):
        iso5356.cone(22).male_diameter(30)
    with pytest.raises(ValueError, match="depth = 10"):
        iso5356.female_profile(22, depth=10)


# ------------------------------------------------------------- exported STL, gauged

_FILES: dict[tuple[int, str], tuple] = {}


def exported(size: int, sex: str, tmp_dir):
    """(STL path, height of the male tip / female mouth) for one connector."""
    if (size, sex) not in _FILES:
        c = iso5356.cone(size)
        if sex == "male":
            solid = iso5356.male_cone(size, bore=c.male_tip_diameter - 4, base_length=BASE)
            top = BASE + c.male_length
        else:
            solid = iso5356.female_socket(size, c.reference_diameter + 6, floor=FLOOR,
                                          bore=c.female_bottom_diameter - 4)
            top = FLOOR + c.female_depth
        assert solid.isValid()
        path = export_stl(solid, tmp_dir / f"{sex}{size}.stl")
        _FILES[(size, sex)] = (path, top)
    return _FILES[(size, sex)]


@pytest.fixture(scope="module")
def stl_dir(tmp_path_factory):
    _FILES.clear()
    return tmp_path_factory.mktemp("cones")


def _measure(size, sex, dist, stl_dir):
    path, top = exported(size, sex, stl_dir)
    which = "outer" if sex == "male" else "inner"
    return gauge.diameter_at(path, top - dist, which, near=(0.0, 0.0))


@pytest.mark.parametrize("sex", ["male", "female"])
@pytest.mark.parametrize("size", SIZES)
def test_exported_stl_matches_table_at_gauge_points(size, sex, stl_dir):
    c = iso5356.cone(size)
    points = c.gauge_points(sex)
    assert len(points) == 3
    for dist, want in points:
        got = _measure(size, sex, dist, stl_dir)
        assert got == pytest.approx(want, abs=GAUGE_TOL), (size, sex, dist)


@pytest.mark.parametrize("sex", ["male", "female"])
@pytest.mark.parametrize("size", SIZES)
def test_exported_stl_taper_is_1_in_40(size, sex, stl_dir):
    c = iso5356.cone(size)
    span = (c.male_length if sex == "male" else c.female_depth) - 2.0
    d1 = _measure(size, sex, 1.0, stl_dir)
    d2 = _measure(size, sex, 1.0 + span, stl_dir)
    taper = abs(d2 - d1) / span
    assert taper == pytest.approx(1 / 40, abs=0.0005)  # 2 % of the taper


@pytest.mark.parametrize("size", SIZES)
def test_exported_pair_engages_at_the_standard_depth(size, stl_dir):
    """From the two STLs alone: fit the male's diameter against the distance from its
    tip and the female's against the depth; the male wedges where they are equal."""
    c = iso5356.cone(size)
    xs = np.linspace(1.0, c.male_length - 1.0, 5)
    dm = [_measure(size, "male", x, stl_dir) for x in xs]
    ys = np.linspace(1.0, c.female_depth - 1.0, 5)
    df = [_measure(size, "female", y, stl_dir) for y in ys]
    km, tip = np.polyfit(xs, dm, 1)  # d = tip + km * x
    kf, mouth = np.polyfit(ys, df, 1)  # d = mouth + kf * y (kf < 0)
    assert km == pytest.approx(-kf, rel=0.02)
    depth = (mouth - tip) / km
    # 0.4 mm of depth is 0.01 mm on the diameter; the standard's figure, not the table's
    assert depth == pytest.approx(STANDARD_ENGAGEMENT[size], abs=0.4)


@pytest.mark.parametrize("size", SIZES)
def test_solids_wedge_at_the_standard_depth(size):
    """Put the male cone into the socket: 0.4 mm short of the standard's depth they do
    not touch; 0.4 mm past it they overlap (interference)."""
    c = iso5356.cone(size)
    male = iso5356.male_cone(size)  # tip at z = male_length
    socket = iso5356.female_socket(size, c.reference_diameter + 6)  # mouth at female_depth

    def overlap(depth):
        # male upside down, tip `depth` below the mouth
        m = male.rotate(cq.Vector(), cq.Vector(1, 0, 0), 180).translate(
            cq.Vector(0, 0, c.female_depth - depth + c.male_length))
        return socket.intersect(m).Volume()

    assert overlap(c.engagement - 0.4) == pytest.approx(0.0, abs=1e-6)
    assert overlap(c.engagement + 0.4) > 1.0


@pytest.mark.parametrize("size", SIZES)
def test_female_tool_cuts_the_same_socket(size):
    """Cutting the tool from a plain cylinder gives the socket solid, to 1e-6 mm3."""
    c = iso5356.cone(size)
    outer, floor = c.reference_diameter + 6, 2.0
    top = floor + c.female_depth
    blank = cq.Solid.makeCylinder(outer / 2, top)
    cut = blank.cut(iso5356.female_tool(size, z_mouth=top))
    socket = iso5356.female_socket(size, outer, floor=floor)
    assert cut.isValid() and len(cut.Solids()) == 1
    assert cut.Volume() == pytest.approx(socket.Volume(), abs=1e-6)
    # closed form: cylinder less the frustum of the socket (1:40 taper)
    r1, r2, h = c.female_bottom_diameter / 2, c.reference_diameter / 2, c.female_depth
    frustum = math.pi * h * (r1 * r1 + r1 * r2 + r2 * r2) / 3
    assert socket.Volume() == pytest.approx(math.pi * (outer / 2) ** 2 * top - frustum, rel=1e-9)


# ------------------------------------------------------------- gauge_mesh, the check


@pytest.mark.parametrize("sex", ["male", "female"])
@pytest.mark.parametrize("size", SIZES)
def test_gauge_mesh_passes_on_the_exported_cones(size, sex, stl_dir):
    path, top = exported(size, sex, stl_dir)
    check = iso5356.gauge_mesh(path, size, sex, top)
    assert check["ok"], check["detail"]
    assert check["engagement_mm"] == pytest.approx(STANDARD_ENGAGEMENT[size], abs=0.4)
    assert check["max_error_mm"] <= 0.02


def test_gauge_mesh_22_male_against_the_sources_figures(stl_dir):
    path, top = exported(22, "male", stl_dir)
    check = iso5356.gauge_mesh(path, 22, "male", top)
    tip, base, length = STANDARD_22_MALE
    rows = {r["from_end_mm"]: r["measured_mm"] for r in check["gauge"]}
    assert rows[1.0] == pytest.approx(tip + 1 / 40, abs=0.02)
    assert rows[length - 1.0] == pytest.approx(base - 1 / 40, abs=0.02)
    assert rows[15.0] == pytest.approx(22.37, abs=0.02)


def _broken(tmp_path, name, solid):
    return export_stl(solid, tmp_path / f"{name}.stl")


def test_gauge_mesh_fails_on_a_straight_spigot(tmp_path):
    """A straight 22.37 mm spigot (the 2020 mistake) is not a cone: refused."""
    solid = cq.Solid.makeCylinder(22.37 / 2, 24.0).cut(cq.Solid.makeCylinder(8, 24.0))
    check = iso5356.gauge_mesh(_broken(tmp_path, "straight", solid), 22, "male", 24.0)
    assert not check["ok"] and check["taper"] == pytest.approx(0.0, abs=1e-4)


def test_gauge_mesh_fails_on_an_oversize_socket(tmp_path):
    """A 22 mm socket 0.2 mm too wide: right taper, but a standard male goes 8 mm too
    deep and the gauge diameters are off."""
    c = iso5356.cone(22)
    top = FLOOR + c.female_depth
    blank = cq.Solid.makeCylinder(c.reference_diameter / 2 + 3, top)
    solid = blank.cut(iso5356.female_tool(22, z_mouth=top).transformGeometry(
        cq.Matrix([[1 + 0.2 / 22.37, 0, 0, 0], [0, 1 + 0.2 / 22.37, 0, 0], [0, 0, 1, 0]])))
    check = iso5356.gauge_mesh(_broken(tmp_path, "wide", solid), 22, "female", top)
    assert not check["ok"]
    assert check["engagement_mm"] == pytest.approx(15 + 8, abs=0.5)
    assert check["max_error_mm"] == pytest.approx(0.2, abs=0.02)


def test_gauge_mesh_fails_on_a_15mm_cone_checked_as_22(stl_dir):
    path, top = exported(15, "male", stl_dir)
    assert not iso5356.gauge_mesh(path, 22, "male", top)["ok"]


def test_gauge_mesh_fails_where_there_is_no_cone(stl_dir):
    path, top = exported(22, "male", stl_dir)
    check = iso5356.gauge_mesh(path, 22, "male", top, centre=(30.0, 0.0))
    assert not check["ok"] and "no round section" in check["detail"]
