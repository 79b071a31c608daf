"""Face-shield sheet hole patterns, as data (the punches makers own).

Every headband, sheet and laser-cut band takes its peg or hole positions from here, so a
sheet and a band with the same pattern name agree by construction, and `cad.fit` checks
that they also agree as built. Offsets are hole centres from the sheet's centre line,
measured along the sheet's punched (top) edge, which is also the arc length along a
headband's front where the sheet wraps. Source: the project's reference facts
(../shared/REFERENCE.md), from 2020 punch and visor documentation.
"""

from __future__ import annotations

from dataclasses import dataclass

A4 = (297.0, 210.0)  #: mm, ISO 216 A4 landscape (punched along the 297 mm edge)
LETTER = (279.4, 215.9)  #: mm, US Letter 11 x 8.5 in landscape


@dataclass(frozen=True)
class SheetPattern:
    """Holes punched along the top of a face-shield sheet (millimetres)."""

    name: str
    title: str
    sheet: str  # the sheet format it is defined on: "a4" or "letter"
    sheet_width: float  # along the punched edge
    sheet_height: float
    hole_diameter: float
    offsets: tuple[float, ...]  # hole centres from the sheet's centre line, ascending
    top_distance: float  # hole centres from the punched edge
    verified: bool = True  # False: the top distance comes from one source only

    @property
    def outermost(self) -> float:
        return max(abs(o) for o in self.offsets)

    @property
    def span(self) -> float:
        """Distance between the outermost hole centres."""
        return max(self.offsets) - min(self.offsets)


def _sym(*values: float) -> tuple[float, ...]:
    return tuple(sorted({-v for v in values} | set(values)))


SHEET_PATTERNS: dict[str, SheetPattern] = {
    "eu-888": SheetPattern(
        "eu-888", 'EU "888": A4, 4 holes at 80 mm pitch', "a4", *A4, 6.0,
        _sym(40.0, 120.0), 22.4),
    "eu-iso838": SheetPattern(
        "eu-iso838", "EU ISO 838: A4, a 2-hole 80 mm punch used twice", "a4", *A4, 6.0,
        _sym(34.0, 114.0), 22.4),
    "se-8": SheetPattern(
        "se-8", "Sweden 8-hole: A4 or Letter", "a4", *A4, 6.0,
        _sym(18.0, 39.0, 109.0, 130.0), 22.1),
    "us-3": SheetPattern(
        "us-3", "US 3-hole: Letter, 4.25 in (108 mm) pitch", "letter", *LETTER, 6.0,
        (-108.0, 0.0, 108.0), 25.0, verified=False),
    "us-6": SheetPattern(
        "us-6", "US 6-hole: Letter, a 3-hole punch used twice with a 1 in shift", "letter",
        *LETTER, 6.0, _sym(12.7, 95.25, 120.65), 24.95),
}

#: Sheet formats a shield can be cut from: (width along the punched edge, height), mm.
SHEET_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}


def pattern(name: str) -> SheetPattern:
    """The pattern called `name`; KeyError lists the known ones."""
    try:
        return SHEET_PATTERNS[name]
    except KeyError:
        raise KeyError(f"unknown sheet pattern {name!r}; known: "
                       + ", ".join(SHEET_PATTERNS)) from None
