"""Head sizes for head-worn parts (headbands, straps), kept as data that can be listed.

Every design that fits a head uses this one table, so a printed headband and a laser-cut
band of the same size fit the same person.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HeadSize:
    """A head's largest horizontal section, in millimetres."""

    breadth: float  # maximum head breadth (eurion to eurion)
    length: float  # head length (glabella to opisthocranion)
    who: str


#: Head sizes: British adults aged 19 to 65, rounded to 5 mm, from the tables of
#: S. Pheasant and C. Haslegrave, *Bodyspace* (3rd ed., 2006), items "head length" and
#: "head breadth" (as reproduced in City University of Hong Kong's "online anthropometry",
#: chapter 2, items 26 and 27). Men: breadth 145/155/165, length 180/195/205 mm
#: (5th/50th/95th percentile); women: breadth 135/145/150, length 165/180/190 mm.
#: Assumption: one ellipse through the largest breadth and length fits a band's level
#: well enough for an open band held by a strap.
HEAD_SIZES: dict[str, HeadSize] = {
    "s": HeadSize(145.0, 180.0, "women 50th percentile (about men 5th)"),
    "m": HeadSize(155.0, 195.0, "men 50th percentile (about women 95th)"),
    "l": HeadSize(165.0, 205.0, "men 95th percentile"),
}
