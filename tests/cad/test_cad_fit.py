"""cad.fit: pegs against holes, and the build's refusal of a pair that does not fit."""

from __future__ import annotations

import pytest

from cad import fit


def pegs(positions, d=5.6, pattern="eu-888"):
    return {"kind": "pegs", "pattern": pattern, "positions_mm": positions, "diameter_mm": d}


def holes(positions, d=6.0, pattern="eu-888"):
    return {"kind": "holes", "pattern": pattern, "positions_mm": positions, "diameter_mm": d}


EU = [-120.0, -40.0, 40.0, 120.0]


def test_exact_pair_fits():
    r = fit.check_fit(pegs(EU), holes(EU))
    assert r["ok"] is True and r["max_error_mm"] == 0.0 and r["clearance_mm"] == pytest.approx(0.4)


def test_position_tolerance_is_half_a_millimetre():
    assert fit.check_fit(pegs([-120.0, -40.0, 40.0, 120.49]), holes(EU))["ok"] is True
    bad = fit.check_fit(pegs([-120.0, -40.0, 40.0, 120.6]), holes(EU))
    assert bad["ok"] is False and bad["max_error_mm"] == pytest.approx(0.6)
    assert "0.60 mm off" in bad["detail"]


def test_the_2020_misfit_is_refused():
    """US pegs 110 mm apart against 108 mm punches."""
    r = fit.check_fit(pegs([-110.0, 0.0, 110.0], pattern="us-3"),
                      holes([-108.0, 0.0, 108.0], pattern="us-3"))
    assert r["ok"] is False and r["max_error_mm"] == pytest.approx(2.0)


@pytest.mark.parametrize("peg, ok", [(5.8, True), (5.0, True), (5.9, False), (4.9, False)])
def test_clearance_range(peg, ok):
    assert fit.check_fit(pegs(EU, d=peg), holes(EU))["ok"] is ok


def test_count_and_pattern_mismatch():
    assert "3 pegs for 4 holes" in fit.check_fit(pegs(EU[:3]), holes(EU))["detail"]
    assert "pattern" in fit.check_fit(pegs(EU), holes(EU, pattern="se-8"))["detail"]


def test_apply_fits_marks_pairs_and_refuses_misfits():
    recs = [
        {"design": "band", "variant": "good", "interface": pegs(EU)},
        {"design": "band", "variant": "bad", "interface": pegs([-121.0, -40.0, 40.0, 120.0])},
        {"design": "band", "variant": "other", "interface": pegs([0.0], pattern="x")},
        {"design": "sheet", "variant": "a4", "interface": holes(EU)},
        {"design": "plain", "variant": "v"},
    ]
    refused = fit.apply_fits(recs)
    assert list(refused) == [("band", "bad")]
    assert "does not fit sheet/a4" in refused[("band", "bad")]
    assert [(f["variant"], f["ok"]) for f in recs[0]["fits"]] == [("a4", True)]
    assert recs[1]["fits"][0]["ok"] is False
    assert recs[2]["fits"] == []  # no sheet of its pattern: nothing to check
    assert [f["variant"] for f in recs[3]["fits"]] == ["good"]  # sheets list who fits them
    assert "fits" not in recs[4]
