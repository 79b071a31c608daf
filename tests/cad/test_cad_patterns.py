"""cad.patterns: the five punch patterns of the reference facts, as data."""

import pytest

from cad import patterns


def test_five_patterns_with_the_reference_offsets():
    p = patterns.SHEET_PATTERNS
    assert set(p) == {"eu-888", "eu-iso838", "se-8", "us-3", "us-6"}
    assert p["eu-888"].offsets == (-120.0, -40.0, 40.0, 120.0)
    assert p["eu-iso838"].offsets == (-114.0, -34.0, 34.0, 114.0)
    assert p["se-8"].offsets == (-130.0, -109.0, -39.0, -18.0, 18.0, 39.0, 109.0, 130.0)
    assert p["us-3"].offsets == (-108.0, 0.0, 108.0)
    assert p["us-6"].offsets == (-120.65, -95.25, -12.7, 12.7, 95.25, 120.65)
    assert [p[k].top_distance for k in ("eu-888", "eu-iso838", "se-8", "us-6")] == \
        [22.4, 22.4, 22.1, 24.95]
    assert all(x.hole_diameter == 6.0 for x in p.values())


def test_us3_edge_distance_marked_unverified():
    assert patterns.SHEET_PATTERNS["us-3"].verified is False
    assert all(x.verified for k, x in patterns.SHEET_PATTERNS.items() if k != "us-3")


def test_sheet_sizes_and_pitches():
    assert patterns.SHEET_SIZES == {"a4": (297.0, 210.0), "letter": (279.4, 215.9)}
    p = patterns.SHEET_PATTERNS
    assert p["us-3"].offsets[2] - p["us-3"].offsets[1] == pytest.approx(4.25 * 25.4, abs=0.06)  # 107.95, rounded
    assert p["us-6"].offsets[3] - p["us-6"].offsets[2] == pytest.approx(25.4)  # 1 in shift
    for x in p.values():
        assert list(x.offsets) == sorted(x.offsets)
        assert x.offsets == tuple(-o for o in reversed(x.offsets))  # symmetric
        assert x.outermost + x.hole_diameter / 2 < x.sheet_width / 2


def test_unknown_pattern_lists_the_known():
    with pytest.raises(KeyError, match="known: eu-888"):
        patterns.pattern("eu-999")
